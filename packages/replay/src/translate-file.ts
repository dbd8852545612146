import { checkOptions } from "@cftkit/core";
import { DATASET_FORMATS, type DatasetFormat, loadDataset, sampleRecords } from "@cftkit/datasets";
import { z } from "zod";
import { positiveInt } from "./positive-int.js";
import { type TranslateOptions, type TranslateSummary, translateDataset } from "./translate-dataset.js";

/** How `translateDatasetFile` reads and samples its input; `cftkit data translate` builds its flags from it. */
export const translateFileOptionsSchema = z.object({
  from: z
    .enum(DATASET_FORMATS as [DatasetFormat, ...DatasetFormat[]])
    .default("auto")
    .describe("input layout"),
  language: z
    .string()
    .min(1)
    .default("en")
    .describe("language of records that declare none (the source language)"),
  count: positiveInt()
    .optional()
    .describe("translate a seeded sample of this many records (the paper: 50,000 OpenOrca rows)"),
  seed: z.uint32().default(0).describe("sampling seed for --count"),
  maxTokens: positiveInt().default(2048).describe("most new tokens per translated field"),
});

/**
 * `translateDataset` on a data file or folder in any layout `@cftkit/datasets` reads: records without a
 * language are `language` (also the source language); with `count`, a seeded sample of that many records.
 */
export async function translateDatasetFile(
  path: string,
  options: z.input<typeof translateFileOptionsSchema> & Omit<TranslateOptions, "records" | "maxTokens">,
): Promise<TranslateSummary> {
  const o = checkOptions(translateFileOptionsSchema, options, "REPLAY_BAD_OPTION");
  let records = await loadDataset(path, { format: o.from, language: o.language });
  if (o.count !== undefined) records = sampleRecords(records, { count: o.count, seed: o.seed });
  return translateDataset({ ...options, records, maxTokens: o.maxTokens, sourceLanguage: o.language });
}
