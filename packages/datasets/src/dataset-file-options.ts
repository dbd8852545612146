import { z } from "zod";
import { OUTPUT_LAYOUTS } from "./output-layout.js";

/**
 * The options of the file-to-file data operations (dataset-files.ts), written once: the functions check
 * them, and `cftkit data sample|mix|split|align` build their flags, help text and defaults from them.
 */

/** A whole number ≥ 1 (zod's uint32 would report "≥ 0" for a negative one). */
const positive = () =>
  z
    .int()
    .min(1)
    .max(2 ** 32 - 1);
const seed = () => z.uint32().default(0).describe("random seed");
const layout = () =>
  z
    .enum(OUTPUT_LAYOUTS)
    .default("cftkit")
    .describe(
      "layout: cftkit JSONL, the embedded trainer's chat rows, or Axolotl alpaca / chat_template JSONL",
    );

export const sampleFileOptionsSchema = z.object({
  count: positive().optional().describe("records to keep"),
  ratio: z.number().gt(0).max(1).optional().describe("fraction to keep"),
  seed: seed(),
  stratify: z.enum(["language"]).optional().describe("keep each language's share"),
  to: layout(),
});

export const mixFileOptionsSchema = z.object({
  total: positive().optional().describe("total size with --ratios"),
  seed: seed(),
  to: layout(),
});

export const splitFileOptionsSchema = z.object({
  validation: z.number().gt(0).describe("share (0-1) or count of validation records/groups"),
  groupBy: z.enum(["group", "parallel_id"]).optional().describe("keep records sharing this key together"),
  seed: seed(),
  to: layout(),
});

/** An optional file path; `.meta({ path })` tells the CLI's path guard whether it is read or written. */
const file = (role: "input" | "output-file", what: string) =>
  z.string().min(1).meta({ path: role }).optional().describe(what);

export const alignFileOptionsSchema = z.object({
  english: file("input", "English set (default: the English records of <in>)"),
  out: file("output-file", "write pairs as JSONL {id, language, parallel_id, record, english}"),
  missingOut: file("output-file", "write the records without a counterpart (cftkit JSONL)"),
});

export type SampleFileOptions = z.input<typeof sampleFileOptionsSchema>;
export type MixFileOptions = z.input<typeof mixFileOptionsSchema>;
export type SplitFileOptions = z.input<typeof splitFileOptionsSchema>;
export type AlignFileOptions = z.input<typeof alignFileOptionsSchema>;
