import { checkOptions, type ProgressReporter } from "@cftkit/core";
import {
  type AlignFileOptions,
  type ConvertFileOptions,
  convertFileOptionsSchema,
  type MixFiles,
  mixFilesSchema,
  type SampleFileOptions,
  type SplitFiles,
  sampleFileOptionsSchema,
  splitFilesSchema,
  type StatsFileOptions,
  statsFileOptionsSchema,
} from "./dataset-file-options.js";
import {
  type AlignFilesResult,
  alignDatasetFiles,
  datasetFileStats,
  mixDatasetFiles,
  sampleDatasetFile,
  splitDatasetFile,
} from "./dataset-files.js";
import type { LanguageReport } from "./language-id.js";
import { type LoadChoices, loadChoicesSchema, loadOptionsFromChoices } from "./load-choices.js";
import { streamDataset } from "./load-dataset.js";
import { createLoadSummary, type LoadSummary, loadSummaryJson } from "./load-summary.js";
import type { MixResult } from "./mix.js";
import { type OutputLayout, writeRecordsAs } from "./output-layout.js";
import type { DatasetStats } from "./stats.js";
import type { z } from "zod";

/**
 * The `cftkit data` commands as functions: each takes the reading choices (loadChoicesSchema) with its own
 * options, does the work of dataset-files.ts, and returns the command's JSON document (with the reading
 * summary in it), the summary itself, and notes worth saying (e.g. a count larger than the data).
 */
export interface DataFileRun<D> {
  document: D;
  summary: LoadSummary;
  notes: string[];
}

type ReadChoices = z.input<typeof loadChoicesSchema>;
/** What a run reports progress to (the CLI's progress line). */
export interface DataRunHooks {
  progress?: ProgressReporter;
}

type SummaryJson = ReturnType<typeof loadSummaryJson>;

/** The reading choices checked, as LoadOptions filling a fresh summary. */
function reading(choices: ReadChoices, hooks: DataRunHooks) {
  const checked: LoadChoices = checkOptions(loadChoicesSchema, choices, "DATA_BAD_OPTION");
  const summary = createLoadSummary();
  return { summary, load: { ...loadOptionsFromChoices(checked), summary, progress: hooks.progress } };
}

const run = <D>(document: D, summary: LoadSummary, notes: string[] = []): DataFileRun<D> => ({
  document,
  summary,
  notes,
});

export type DataStatsDocument = { path: string } & DatasetStats & {
    summary: SummaryJson;
    language_report?: LanguageReport;
  };

/** `cftkit data stats`: rows, languages and lengths of a file or folder (streamed), optionally tinyld's check. */
export async function runDataStats(
  path: string,
  options: ReadChoices & StatsFileOptions,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<DataStatsDocument>> {
  const { languageReport } = checkOptions(statsFileOptionsSchema, options, "DATA_BAD_OPTION");
  const { summary, load } = reading(options, hooks);
  const { stats, languageReport: report } = await datasetFileStats(path, load, {
    languageReport,
    candidates: load.languageCandidates,
  });
  const document = {
    path,
    ...stats,
    summary: loadSummaryJson(summary), // before language_report, as the document always had it
    ...(report ? { language_report: report } : {}),
  };
  return run(document, summary);
}

export interface DataConvertDocument {
  in: string;
  out: string;
  to: OutputLayout;
  rows: number;
  datasetEntry?: object;
  summary: SummaryJson;
}

/** `cftkit data convert`: a data set rewritten in an output layout (rows without a response skipped in training layouts). */
export async function runDataConvert(
  path: string,
  out: string,
  options: ReadChoices & ConvertFileOptions,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<DataConvertDocument>> {
  const { to } = checkOptions(convertFileOptionsSchema, options, "DATA_BAD_OPTION");
  const { summary, load } = reading(options, hooks);
  const { rows, datasetEntry } = await writeRecordsAs(to, streamDataset(path, load), out, summary);
  return run({ in: path, out, to, rows, datasetEntry, summary: loadSummaryJson(summary) }, summary);
}

export interface DataSampleDocument {
  in: string;
  out: string;
  rows: number;
  seed: number;
  count?: number;
  ratio?: number;
  stratify: "language" | null;
  summary: SummaryJson;
}

/** `cftkit data sample`: a seeded sample; a count larger than the data keeps everything, with a note saying so. */
export async function runDataSample(
  path: string,
  out: string,
  options: ReadChoices & SampleFileOptions,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<DataSampleDocument>> {
  const { count, ratio, seed, stratify } = checkOptions(sampleFileOptionsSchema, options, "DATA_BAD_OPTION");
  const { summary, load } = reading(options, hooks);
  const written = await sampleDatasetFile(path, out, load, options);
  const notes =
    count !== undefined && written.available !== undefined && count > written.available
      ? [
          `note: --count ${count} is more than the ${written.available} records of ${path}; keeping all of them`,
        ]
      : [];
  const document = {
    in: path,
    out,
    rows: written.rows,
    seed,
    count,
    ratio,
    stratify: stratify ?? null,
    summary: loadSummaryJson(summary),
  };
  return run(document, summary, notes);
}

export interface DataMixDocument {
  out: string;
  rows: number;
  seed: number;
  parts: MixResult["parts"];
  summary: SummaryJson;
}

/** `cftkit data mix`: several data sets mixed by `ratios` or `counts` (one per input, in input order), seeded. */
export async function runDataMix(
  out: string,
  options: ReadChoices & MixFiles,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<DataMixDocument>> {
  const { inputs: paths, ratios, counts, seed } = checkOptions(mixFilesSchema, options, "DATA_BAD_OPTION");
  const inputs = paths.map((path, i) => ({ path, ratio: ratios?.[i], count: counts?.[i] }));
  const { load } = reading(options, hooks);
  const mixed = await mixDatasetFiles(inputs, out, load, options);
  const document = {
    out,
    rows: mixed.rows,
    seed,
    parts: mixed.parts,
    summary: loadSummaryJson(mixed.summary),
  };
  return run(document, mixed.summary);
}

export interface DataSplitDocument {
  train: number;
  validation: number;
  seed: number;
  summary: SummaryJson;
}

/** `cftkit data split`: a seeded train/validation split written to `outTrain` and `outValidation`. */
export async function runDataSplit(
  path: string,
  options: ReadChoices & SplitFiles,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<DataSplitDocument>> {
  const { outTrain, outValidation, seed } = checkOptions(splitFilesSchema, options, "DATA_BAD_OPTION");
  const { summary, load } = reading(options, hooks);
  const written = await splitDatasetFile(path, { train: outTrain, validation: outValidation }, load, options);
  return run({ ...written, seed, summary: loadSummaryJson(summary) }, summary);
}

/** `cftkit data align`: the English counterpart (same parallel_id) of every non-English record. */
export async function runDataAlign(
  path: string,
  options: ReadChoices & AlignFileOptions,
  hooks: DataRunHooks = {},
): Promise<DataFileRun<AlignFilesResult & { summary: SummaryJson }>> {
  const { summary, load } = reading(options, hooks);
  const result = await alignDatasetFiles(path, load, options);
  return run({ ...result, summary: loadSummaryJson(summary) }, summary);
}
