import { checkOptions } from "@cftkit/core";
import { alignEnglish } from "./align.js";
import {
  type AlignFileOptions,
  alignFileOptionsSchema,
  type MixFileOptions,
  mixFileOptionsSchema,
  type SampleFileOptions,
  type SplitFileOptions,
  sampleFileOptionsSchema,
  splitFileOptionsSchema,
} from "./dataset-file-options.js";
import { languageReport, type LanguageReport } from "./language-id.js";
import { type LoadOptions, loadDataset, streamDataset } from "./load-dataset.js";
import { createLoadSummary, type LoadSummary, mergeSummaries } from "./load-summary.js";
import { type MixResult, mixRecords } from "./mix.js";
import { writeRecordsAs } from "./output-layout.js";
import type { InstructionRecord } from "./record.js";
import { writeJsonlAtomic, writeRecordsJsonl } from "./records-jsonl.js";
import { sampleRecords, sampleStream } from "./sample.js";
import { splitRecords } from "./split.js";
import { type DatasetStats, StatsAccumulator } from "./stats.js";

/**
 * The `cftkit data` operations as file-to-file functions: each reads its inputs with `load` (its `summary`
 * filled in as rows are read), writes its output atomically in a layout and returns what it did.
 */

/** Statistics of a file or folder (streamed), and optionally declared-vs-detected languages. */
export async function datasetFileStats(
  path: string,
  load: LoadOptions,
  options: { languageReport?: boolean; candidates?: string[] } = {},
): Promise<{ stats: DatasetStats; languageReport?: LanguageReport }> {
  const acc = new StatsAccumulator();
  const kept: InstructionRecord[] = [];
  for await (const r of streamDataset(path, load)) {
    acc.add(r);
    if (options.languageReport) kept.push(r);
  }
  const stats = acc.result();
  if (!options.languageReport) return { stats };
  return { stats, languageReport: languageReport(kept, { candidates: options.candidates }) };
}

/**
 * A seeded sample written to `out`. An exact ratio or a stratified sample holds every record in memory; a
 * count streams twice (count the rows, then keep the seeded positions: one byte per row). `available` is the
 * number of records a count was drawn from.
 */
export async function sampleDatasetFile(
  path: string,
  out: string,
  load: LoadOptions,
  options: SampleFileOptions,
): Promise<{ rows: number; available?: number }> {
  const { count, ratio, seed, stratify, to } = checkOptions(
    sampleFileOptionsSchema,
    options,
    "DATA_BAD_OPTION",
  );
  const stream = streamDataset(path, load);
  if (stratify === "language" || (ratio !== undefined && count === undefined)) {
    const records: InstructionRecord[] = [];
    for await (const r of stream) records.push(r);
    const size = count !== undefined ? { count } : { ratio };
    return writeRecordsAs(to, sampleRecords(records, { seed, stratifyBy: stratify, ...size }), out);
  }
  let total = 0;
  for await (const _ of streamDataset(path, { ...load, summary: createLoadSummary(), progress: undefined }))
    total++;
  const written = await writeRecordsAs(to, sampleStream(stream, { count, seed, total }), out);
  return { rows: written.rows, available: total };
}

/** Several data sets mixed by share or count (seeded), written to `out`; `summary` totals every input. */
export async function mixDatasetFiles(
  inputs: { path: string; ratio?: number; count?: number }[],
  out: string,
  load: LoadOptions,
  mixOptions: MixFileOptions,
): Promise<{ rows: number; parts: MixResult["parts"]; summary: LoadSummary }> {
  const options = checkOptions(mixFileOptionsSchema, mixOptions, "DATA_BAD_OPTION");
  const total = createLoadSummary();
  const parts = [];
  for (const { path, ratio, count } of inputs) {
    const summary = createLoadSummary();
    const records = await loadDataset(path, { ...load, summary });
    mergeSummaries(total, summary);
    parts.push({ name: path, records, ratio, count });
  }
  const mixed = mixRecords(parts, { seed: options.seed, total: options.total });
  const written = await writeRecordsAs(options.to, mixed.records, out, total);
  return { rows: written.rows, parts: mixed.parts, summary: total };
}

/**
 * A seeded train/validation split written to two files. Training layouts drop rows without a response, so
 * the counts are the rows actually written.
 */
export async function splitDatasetFile(
  path: string,
  out: { train: string; validation: string },
  load: LoadOptions & { summary: LoadSummary },
  splitOptions: SplitFileOptions,
): Promise<{ train: number; validation: number }> {
  const options = checkOptions(splitFileOptionsSchema, splitOptions, "DATA_BAD_OPTION");
  const parts = splitRecords(await loadDataset(path, load), options);
  const train = await writeRecordsAs(options.to, parts.train, out.train, load.summary);
  const validation = await writeRecordsAs(options.to, parts.validation, out.validation, load.summary);
  return { train: train.rows, validation: validation.rows };
}

export interface AlignFilesResult {
  records: number;
  english: number;
  non_english: number;
  aligned: number;
  missing: number;
  missing_ids: string[];
  per_language: Record<string, { records: number; aligned: number }>;
}

/**
 * Pair every non-English record with its English counterpart (same parallel_id), from `english` or from the
 * English records of `path`; the pairs (`out`, JSONL {id, language, parallel_id, record, english}) and the
 * records without one (`missingOut`, cftkit JSONL) are written when asked for.
 */
export async function alignDatasetFiles(
  path: string,
  load: LoadOptions & { summary: LoadSummary },
  alignOptions: AlignFileOptions = {},
): Promise<AlignFilesResult> {
  const options = checkOptions(alignFileOptionsSchema, alignOptions, "DATA_BAD_OPTION");
  const records = await loadDataset(path, load);
  let english = records.filter((r) => r.language.split("-")[0] === "en");
  if (options.english) {
    const enSummary = createLoadSummary();
    english = await loadDataset(options.english, {
      ...load,
      summary: enSummary,
      language: load.language ?? "en",
    });
    mergeSummaries(load.summary, enSummary);
  }
  const aligned = alignEnglish(records, english);
  if (options.out) {
    await writeJsonlAtomic(options.out, aligned.pairs, ({ record, english }) =>
      JSON.stringify({
        id: record.id,
        language: record.language,
        parallel_id: record.parallel_id,
        record,
        english,
      }),
    );
  }
  if (options.missingOut) await writeRecordsJsonl(options.missingOut, aligned.missing);
  const perLanguage: Record<string, { records: number; aligned: number }> = {};
  for (const p of aligned.pairs) {
    const e = (perLanguage[p.record.language] ??= { records: 0, aligned: 0 });
    e.records++;
    e.aligned++;
  }
  for (const m of aligned.missing) (perLanguage[m.language] ??= { records: 0, aligned: 0 }).records++;
  return {
    records: records.length,
    english: english.length,
    non_english: aligned.pairs.length + aligned.missing.length,
    aligned: aligned.pairs.length,
    missing: aligned.missing.length,
    missing_ids: aligned.missing.slice(0, 100).map((r) => r.id),
    per_language: perLanguage,
  };
}
