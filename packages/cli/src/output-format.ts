import {
  exportAxolotl,
  exportEmbedded,
  type LoadSummary,
  type RecordSource,
  writeRecordsJsonl,
} from "@cftkit/datasets";
import { z } from "zod";
import { param } from "./define-command.js";

/**
 * The one vocabulary for "which training-file layout to write", shared by `data` and `replay mix`.
 * Axolotl's own dataset type names (`alpaca`, `chat_template`) are accepted as aliases.
 */
export const OUTPUT_FORMATS = ["cftkit", "embedded", "axolotl-alpaca", "axolotl-chat"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const OUTPUT_FORMAT_ALIASES: Record<string, OutputFormat> = {
  alpaca: "axolotl-alpaca",
  chat_template: "axolotl-chat",
};

/** The `--to`/`--format` option: `formatOption("--to <format>", "cftkit")`. */
export function formatOption(flags: string, fallback?: OutputFormat) {
  const schema = z.enum(OUTPUT_FORMATS);
  return param(
    flags,
    "layout: cftkit JSONL, the embedded trainer's chat rows, or Axolotl alpaca / chat_template JSONL",
    fallback === undefined ? schema : schema.default(fallback),
    { aliases: OUTPUT_FORMAT_ALIASES },
  );
}

/**
 * Write records in a layout. Training layouts (embedded, axolotl-*) skip records without a response and
 * count them in `summary` (DATA_EMPTY_OUTPUT), so read = written + skipped holds.
 */
export async function writeAs(
  to: OutputFormat,
  records: RecordSource,
  out: string,
  summary?: LoadSummary,
): Promise<{ rows: number; datasetEntry?: object }> {
  switch (to) {
    case "axolotl-alpaca":
      return exportAxolotl(records, { type: "alpaca", out, summary });
    case "axolotl-chat":
      return exportAxolotl(records, { type: "chat_template", out, summary });
    case "embedded":
      return exportEmbedded(records, out, { summary });
    case "cftkit":
      return writeRecordsJsonl(out, records);
  }
}
