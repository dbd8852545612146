import { z } from "zod";
import { OUTPUT_LAYOUTS, type OutputLayout } from "./output-layout.js";

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
const LAYOUT_HELP =
  "layout: cftkit JSONL, the embedded trainer's chat rows, or Axolotl alpaca / chat_template JSONL";

/** The output layout as a required option (`to` of convertFileOptionsSchema)… */
export const outputLayoutOption = () => z.enum(OUTPUT_LAYOUTS).describe(LAYOUT_HELP);
/** …or one with a default (`to` here, `format` of @cftkit/replay's mix). */
export const defaultOutputLayoutOption = (fallback: OutputLayout) =>
  z.enum(OUTPUT_LAYOUTS).default(fallback).describe(LAYOUT_HELP);
const layout = () => defaultOutputLayoutOption("cftkit");

export const statsFileOptionsSchema = z.object({
  languageReport: z
    .boolean()
    .default(false)
    .describe("also compare declared languages with tinyld's detection"),
});

export const convertFileOptionsSchema = z.object({ to: outputLayoutOption() });

export const sampleFileOptionsSchema = z.object({
  count: positive().optional().describe("records to keep"),
  ratio: z.number().gt(0).max(1).optional().describe("fraction to keep"),
  seed: seed(),
  stratify: z.enum(["language"]).optional().describe("keep each language's share"),
  to: layout(),
});

/** `ratios`/`counts` hold one value per input (mixFilesSchema checks their lengths against the inputs). */
export const mixFileOptionsSchema = z.object({
  ratios: z.array(z.number().min(0)).min(1).optional().describe("comma-separated shares, one per input"),
  counts: z.array(z.uint32()).min(1).optional().describe("comma-separated counts, one per input"),
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

/** A mix's inputs with its options: `ratios` and `counts` hold one value per input. */
export const mixFilesSchema = z
  .object({
    inputs: z.array(z.string().min(1)).min(1).meta({ path: "input" }).describe("files or folders"),
    ...mixFileOptionsSchema.shape,
  })
  .superRefine(({ inputs, ratios, counts }, ctx) => {
    for (const [name, values] of [
      ["--ratios", ratios],
      ["--counts", counts],
    ] as const) {
      if (values && values.length !== inputs.length)
        ctx.addIssue({
          code: "custom",
          path: [name.slice(2)],
          message: `${name} needs one value per input (${inputs.length}), got ${values.length}`,
        });
    }
  });

const { validation, ...splitRest } = splitFileOptionsSchema.shape;
const outputFile = (what: string) => z.string().min(1).meta({ path: "output-file" }).describe(what);

/** The split's options with its two output files, in the order `cftkit data split` lists them (runDataSplit). */
export const splitFilesSchema = z.object({
  validation,
  outTrain: outputFile("train output"),
  outValidation: outputFile("validation output"),
  ...splitRest,
});

/** An optional file path; `.meta({ path })` tells the CLI's path guard whether it is read or written. */
const file = (role: "input" | "output-file", what: string) =>
  z.string().min(1).meta({ path: role }).optional().describe(what);

export const alignFileOptionsSchema = z.object({
  english: file("input", "English set (default: the English records of <in>)"),
  out: file("output-file", "write pairs as JSONL {id, language, parallel_id, record, english}"),
  missingOut: file("output-file", "write the records without a counterpart (cftkit JSONL)"),
});

export type StatsFileOptions = z.input<typeof statsFileOptionsSchema>;
export type ConvertFileOptions = z.input<typeof convertFileOptionsSchema>;
export type SampleFileOptions = z.input<typeof sampleFileOptionsSchema>;
export type MixFileOptions = z.input<typeof mixFileOptionsSchema>;
export type SplitFileOptions = z.input<typeof splitFileOptionsSchema>;
export type MixFiles = z.input<typeof mixFilesSchema>;
export type SplitFiles = z.input<typeof splitFilesSchema>;
export type AlignFileOptions = z.input<typeof alignFileOptionsSchema>;
