import { OUTPUT_LAYOUT_ALIASES, OUTPUT_LAYOUTS, type OutputLayout } from "@cftkit/datasets";
import { z } from "zod";
import { param } from "./define-command.js";

/** The `--to`/`--format` option of `data` and `replay mix`: `formatOption("--to <format>", "cftkit")`. */
export function formatOption(flags: string, fallback?: OutputLayout) {
  const schema = z.enum(OUTPUT_LAYOUTS);
  return param(
    flags,
    "layout: cftkit JSONL, the embedded trainer's chat rows, or Axolotl alpaca / chat_template JSONL",
    fallback === undefined ? schema : schema.default(fallback),
    { aliases: OUTPUT_LAYOUT_ALIASES },
  );
}
