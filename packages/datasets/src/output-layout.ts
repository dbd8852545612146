import { exportAxolotl, exportEmbedded } from "./export.js";
import type { LoadSummary } from "./load-summary.js";
import { type RecordSource, writeRecordsJsonl } from "./records-jsonl.js";

/**
 * The layouts a data set can be written in: cftkit JSONL, the embedded trainer's chat rows, or Axolotl's
 * alpaca / chat_template JSONL. Axolotl's own dataset type names are accepted as aliases.
 */
export const OUTPUT_LAYOUTS = ["cftkit", "embedded", "axolotl-alpaca", "axolotl-chat"] as const;
export type OutputLayout = (typeof OUTPUT_LAYOUTS)[number];
export const OUTPUT_LAYOUT_ALIASES: Record<string, OutputLayout> = {
  alpaca: "axolotl-alpaca",
  chat_template: "axolotl-chat",
};

/**
 * Write records in a layout. Training layouts (embedded, axolotl-*) skip records without a response and
 * count them in `summary` (DATA_EMPTY_OUTPUT), so read = written + skipped holds.
 */
export async function writeRecordsAs(
  layout: OutputLayout,
  records: RecordSource,
  out: string,
  summary?: LoadSummary,
): Promise<{ rows: number; datasetEntry?: object }> {
  switch (layout) {
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
