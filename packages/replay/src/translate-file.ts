import { checkOptions } from "@cftkit/core";
import { DATASET_FORMATS, type DatasetFormat, loadDataset, sampleRecords } from "@cftkit/datasets";
import { z } from "zod";
import { positiveInt } from "./positive-int.js";
import {
  MULTIALPACA_LANGUAGES,
  type TranslateOptions,
  type TranslateSummary,
  translateDataset,
  translationSideFiles,
} from "./translate-dataset.js";

const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** The languages `to` names: `multialpaca` (its 11 languages) or comma-separated codes; null if one is not a code. */
export function translationLanguages(to: string): string[] | null {
  const languages = to === "multialpaca" ? [...MULTIALPACA_LANGUAGES] : to.split(",").map((l) => l.trim());
  return languages.every((l) => LANGUAGE_CODE.test(l)) ? languages : null;
}

/**
 * The target languages of `translateDatasetFile` and how it reads and samples its input; `cftkit data
 * translate` builds its flags from it.
 */
export const translateFileOptionsSchema = z
  .object({
    to: z
      .string()
      .min(1)
      .describe("target languages, comma-separated (de,fr), or multialpaca for its 11 languages"),
    out: z
      .string()
      .min(1)
      .meta({ path: "output-file", writes: (out: string) => Object.values(translationSideFiles(out)) })
      .describe("translated records (cftkit JSONL)"),
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
  })
  .superRefine(({ to }, ctx) => {
    if (translationLanguages(to) === null)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `--to must be language codes such as de,fr or multialpaca; got "${to}"`,
      });
  });

/**
 * `translateDataset` into the languages `to` names, on a data file or folder in any layout `@cftkit/datasets`
 * reads: records without a language are `language` (also the source language); with `count`, a seeded sample
 * of that many records.
 */
export async function translateDatasetFile(
  path: string,
  options: z.input<typeof translateFileOptionsSchema> &
    Omit<TranslateOptions, "records" | "maxTokens" | "languages">,
): Promise<TranslateSummary> {
  const o = checkOptions(translateFileOptionsSchema, options, "REPLAY_BAD_OPTION");
  const languages = translationLanguages(o.to)!;
  let records = await loadDataset(path, { format: o.from, language: o.language });
  if (o.count !== undefined) records = sampleRecords(records, { count: o.count, seed: o.seed });
  return translateDataset({
    ...options,
    records,
    languages,
    maxTokens: o.maxTokens,
    sourceLanguage: o.language,
  });
}
