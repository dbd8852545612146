import { formatTable } from "@cftkit/core";
import type { DataConvertDocument, DataSampleDocument, DataSplitDocument } from "./data-file-runs.js";
import type { AlignFilesResult } from "./dataset-files.js";
import type { LanguageReport } from "./language-id.js";
import type { MixResult } from "./mix.js";
import type { DatasetStats, LengthStats } from "./stats.js";

/** The `cftkit data` results in words, as the commands print them without --json (plain text lines). */

/** Rows, languages (most first), prompt and output lengths, and the language agreement when checked. */
export function describeDatasetStats(path: string, stats: DatasetStats, report?: LanguageReport): string[] {
  const lengths = (x: LengthStats) => [x.min, x.p50, x.mean.toFixed(1), x.p95, x.max];
  const languages = Object.entries(stats.languages).sort((a, b) => b[1] - a[1]);
  const lengthRows = [
    ["prompt", ...lengths(stats.promptLength)],
    ["output", ...lengths(stats.outputLength)],
  ];
  return [
    `${path}: ${stats.rows} rows, ${stats.withInput} with input, ${stats.multiTurn} multi-turn`,
    ...formatTable(["language", "rows"], languages),
    ...formatTable(["length (words)", "min", "p50", "mean", "p95", "max"], lengthRows),
    ...(report ? [`language agreement: ${(report.agreement * 100).toFixed(2)}% of ${report.checked}`] : []),
  ];
}

/** A mix: what each part had and gave, then the total written. */
export function describeMix(parts: MixResult["parts"], rows: number, seed: number, out: string): string[] {
  return [
    ...formatTable(
      ["part", "available", "taken"],
      parts.map((p) => [p.name, p.available, p.taken]),
    ),
    `mixed ${rows} records (seed ${seed}) → ${out}`,
  ];
}

/** An alignment: records and aligned ones per language, then the totals. */
export function describeAlignment(result: AlignFilesResult): string[] {
  const rows = Object.entries(result.per_language).map(([l, v]) => [l, v.records, v.aligned]);
  return [
    ...formatTable(["language", "records", "aligned"], rows),
    `${result.aligned} of ${result.non_english} non-English records have an English counterpart; ${result.missing} missing`,
  ];
}

/** A conversion: rows written, and the Axolotl `datasets:` entry for a training layout. */
export function describeConversion(doc: DataConvertDocument): string[] {
  return [
    `wrote ${doc.rows} rows to ${doc.out} (${doc.to})`,
    ...(doc.datasetEntry ? [`axolotl datasets entry: ${JSON.stringify(doc.datasetEntry)}`] : []),
  ];
}

/** A sample: rows kept of the records read. */
export function describeSample(doc: DataSampleDocument): string {
  return `sampled ${doc.rows} of ${doc.summary.written} records (seed ${doc.seed}) → ${doc.out}`;
}

/** A split: the rows written to each file. */
export function describeSplit(
  doc: DataSplitDocument,
  out: { outTrain: string; outValidation: string },
): string {
  return `train ${doc.train} → ${out.outTrain}; validation ${doc.validation} → ${out.outValidation}`;
}
