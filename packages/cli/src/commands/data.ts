import {
  alignEnglish,
  createLoadSummary,
  DATASET_FORMATS,
  type DatasetFormat,
  type InstructionRecord,
  type LoadOptions,
  type LoadSummary,
  languageReport,
  loadDataset,
  mergeSummaries,
  mixRecords,
  sampleRecords,
  sampleStream,
  StatsAccumulator,
  splitRecords,
  streamDataset,
  writeJsonlAtomic,
  writeRecordsJsonl,
} from "@cftkit/datasets";
import { CftkitError } from "@cftkit/core";
import { z } from "zod";
import { formatTable, log, printHuman, printJson, progress } from "../cli-output.js";
import {
  type CommonOptions,
  count,
  defineCommand,
  flag,
  list,
  number,
  param,
  text,
  type Values,
} from "../define-command.js";
import { formatOption, writeAs } from "../output-format.js";

/** How every `data` command reads its input. */
const loadParams = {
  from: param(
    "--from <format>",
    "input layout",
    z.enum(DATASET_FORMATS as [DatasetFormat, ...DatasetFormat[]]).default("auto"),
  ),
  language: param("--language <tag>", "language of records that declare none", text().optional()),
  onError: param(
    "--on-error <mode>",
    "a bad row or file: fail or skip",
    z.enum(["fail", "skip"]).default("fail"),
  ),
  fields: param(
    "--fields <map>",
    "custom layout, e.g. instruction=q,output=a,input=ctx",
    list(z.string().regex(/^[^=]+=[^=]+$/, "key=column")).optional(),
  ),
  detectLanguage: param("--detect-language", "detect the language of untagged records (tinyld)", flag()),
  candidates: param(
    "--candidates <codes>",
    "restrict language detection to these codes, e.g. en,fr,de",
    list(text()).optional(),
  ),
};
type LoadFlags = Values<typeof loadParams> & CommonOptions;

const input = (what = "file or folder (.json, .jsonl, .parquet, .gz)") =>
  param("<in>", what, text(), { path: "input" });
const outFile = (what = "output file (written atomically)") =>
  param("--out <file>", what, text(), { path: "output-file" });
const seed = param("--seed <s>", "random seed", count().default(0));

function loadOptions(flags: LoadFlags, summary: LoadSummary): LoadOptions {
  const options: LoadOptions = {
    format: flags.from,
    onError: flags.onError,
    summary,
    progress: progress(flags),
  };
  if (flags.language) options.language = flags.language;
  if (flags.detectLanguage) options.detectLanguage = true;
  if (flags.candidates) options.languageCandidates = flags.candidates;
  if (flags.fields) options.fields = Object.fromEntries(flags.fields.map((pair) => pair.split("=")));
  return options;
}

function summaryJson(summary: LoadSummary) {
  const { read, written, skipped, reasons, emptyOutput, issues, fileIssues, files } = summary;
  return {
    read,
    written,
    skipped,
    reasons,
    empty_output: emptyOutput,
    issues,
    file_issues: fileIssues,
    files,
  };
}

function logSummary(flags: CommonOptions, summary: LoadSummary): void {
  const reasons = Object.entries(summary.reasons)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  log(
    flags,
    `read ${summary.read}, written ${summary.written}, skipped ${summary.skipped}${reasons ? ` (${reasons})` : ""}`,
  );
  for (const issue of summary.issues.slice(0, 5))
    log(flags, `  skipped ${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.message}`);
  for (const issue of summary.fileIssues) log(flags, `  file skipped: ${issue.file}: ${issue.message}`);
}

const stats = defineCommand({
  path: ["data", "stats"],
  description: "rows, languages and length statistics of a data file or folder (streamed)",
  examples: ["cftkit data stats data/alpaca/alpaca_5000.json"],
  args: { path: param("<path>", "file or folder (.json, .jsonl, .parquet, .gz)", text(), { path: "input" }) },
  options: {
    ...loadParams,
    languageReport: param(
      "--language-report",
      "also compare declared languages with tinyld's detection",
      flag(),
    ),
  },
  async run(flags) {
    const summary = createLoadSummary();
    const acc = new StatsAccumulator();
    const kept: InstructionRecord[] = [];
    for await (const r of streamDataset(flags.path, loadOptions(flags, summary))) {
      acc.add(r);
      if (flags.languageReport) kept.push(r);
    }
    const s = acc.result();
    const report = flags.languageReport ? languageReport(kept, { candidates: flags.candidates }) : undefined;
    if (flags.json)
      return printJson({
        path: flags.path,
        ...s,
        summary: summaryJson(summary),
        ...(report ? { language_report: report } : {}),
      });
    printHuman(flags, `${flags.path}: ${s.rows} rows, ${s.withInput} with input, ${s.multiTurn} multi-turn`);
    printHuman(
      flags,
      formatTable(
        ["language", "rows"],
        Object.entries(s.languages).sort((a, b) => b[1] - a[1]),
      ),
    );
    const l = (x: typeof s.promptLength) => [x.min, x.p50, x.mean.toFixed(1), x.p95, x.max];
    printHuman(
      flags,
      formatTable(
        ["length (words)", "min", "p50", "mean", "p95", "max"],
        [
          ["prompt", ...l(s.promptLength)],
          ["output", ...l(s.outputLength)],
        ],
      ),
    );
    if (report)
      printHuman(flags, `language agreement: ${(report.agreement * 100).toFixed(2)}% of ${report.checked}`);
    logSummary(flags, summary);
  },
});

const convert = defineCommand({
  path: ["data", "convert"],
  description:
    "convert a data set to Axolotl alpaca/chat_template JSONL, the embedded trainer's input, or cftkit JSONL",
  examples: ["cftkit data convert data/alpaca/alpaca_5000.json --to embedded --out train.jsonl"],
  args: { in: input() },
  options: { ...loadParams, to: formatOption("--to <format>"), out: outFile() },
  async run(flags) {
    const summary = createLoadSummary();
    const written = await writeAs(
      flags.to,
      streamDataset(flags.in, loadOptions(flags, summary)),
      flags.out,
      summary,
    );
    const result = {
      in: flags.in,
      out: flags.out,
      to: flags.to,
      rows: written.rows,
      datasetEntry: written.datasetEntry,
    };
    if (flags.json) return printJson({ ...result, summary: summaryJson(summary) });
    printHuman(flags, `wrote ${written.rows} rows to ${flags.out} (${flags.to})`);
    if (written.datasetEntry)
      printHuman(flags, `axolotl datasets entry: ${JSON.stringify(written.datasetEntry)}`);
    logSummary(flags, summary);
  },
});

const sample = defineCommand({
  path: ["data", "sample"],
  description: "seeded sample (count or ratio; optionally stratified by language)",
  examples: ["cftkit data sample data/alpaca/alpaca_5000.json --count 200 --seed 1 --out sample.jsonl"],
  args: { in: input() },
  options: {
    ...loadParams,
    out: outFile(),
    count: param(
      "--count <n>",
      "records to keep",
      count(
        z
          .number()
          .int()
          .min(1)
          .max(2 ** 32 - 1),
      ).optional(),
    ),
    ratio: param("--ratio <r>", "fraction to keep", number(z.number().gt(0).max(1)).optional()),
    seed,
    stratify: param("--stratify <key>", "keep each language's share", z.enum(["language"]).optional()),
    to: formatOption("--to <format>", "cftkit"),
  },
  async run(flags) {
    const { count: n, ratio, seed, stratify } = flags;
    const summary = createLoadSummary();
    const stream = streamDataset(flags.in, loadOptions(flags, summary));
    let written: { rows: number };
    if (stratify === "language" || (ratio !== undefined && n === undefined)) {
      // Exact ratio / stratified: needs every record in memory.
      const records: InstructionRecord[] = [];
      for await (const r of stream) records.push(r);
      const size = n !== undefined ? { count: n } : { ratio };
      written = await writeAs(
        flags.to,
        sampleRecords(records, { seed, stratifyBy: stratify, ...size }),
        flags.out,
      );
    } else {
      // Two streamed passes: count the rows, then keep the seeded positions (memory: one byte per row).
      let total = 0;
      for await (const _ of streamDataset(flags.in, {
        ...loadOptions(flags, createLoadSummary()),
        progress: undefined,
      }))
        total++;
      if (n !== undefined && n > total)
        log(
          flags,
          `note: --count ${n} is more than the ${total} records of ${flags.in}; keeping all of them`,
        );
      written = await writeAs(flags.to, sampleStream(stream, { count: n, seed, total }), flags.out);
    }
    if (flags.json)
      return printJson({
        in: flags.in,
        out: flags.out,
        rows: written.rows,
        seed,
        count: n,
        ratio,
        stratify: stratify ?? null,
        summary: summaryJson(summary),
      });
    printHuman(flags, `sampled ${written.rows} of ${summary.written} records (seed ${seed}) → ${flags.out}`);
    logSummary(flags, summary);
  },
});

const mix = defineCommand({
  path: ["data", "mix"],
  description: "mix several data sets by ratio or count (seeded)",
  examples: ["cftkit data mix en.jsonl fr.jsonl --ratios 0.9,0.1 --total 1000 --out mixed.jsonl"],
  args: { inputs: param("<inputs...>", "files or folders", z.array(text()).min(1), { path: "input" }) },
  options: {
    ...loadParams,
    out: outFile(),
    ratios: param(
      "--ratios <list>",
      "comma-separated shares, one per input",
      list(number(z.number().min(0))).optional(),
    ),
    counts: param("--counts <list>", "comma-separated counts, one per input", list(count()).optional()),
    total: param(
      "--total <n>",
      "total size with --ratios",
      count(
        z
          .number()
          .int()
          .min(1)
          .max(2 ** 32 - 1),
      ).optional(),
    ),
    seed,
    to: formatOption("--to <format>", "cftkit"),
  },
  async run(flags) {
    for (const [name, values] of [
      ["--ratios", flags.ratios],
      ["--counts", flags.counts],
    ] as const) {
      if (values && values.length !== flags.inputs.length)
        throw new CftkitError(
          "CLI_BAD_OPTION",
          `${name} needs one value per input (${flags.inputs.length}), got ${values.length}`,
        );
    }
    const total = createLoadSummary();
    const parts = [];
    for (const [i, path] of flags.inputs.entries()) {
      const summary = createLoadSummary();
      const records = await loadDataset(path, loadOptions(flags, summary));
      mergeSummaries(total, summary);
      parts.push({ name: path, records, ratio: flags.ratios?.[i], count: flags.counts?.[i] });
    }
    const mixed = mixRecords(parts, { seed: flags.seed, total: flags.total });
    const written = await writeAs(flags.to, mixed.records, flags.out, total);
    if (flags.json)
      return printJson({
        out: flags.out,
        rows: written.rows,
        seed: flags.seed,
        parts: mixed.parts,
        summary: summaryJson(total),
      });
    printHuman(
      flags,
      formatTable(
        ["part", "available", "taken"],
        mixed.parts.map((p) => [p.name, p.available, p.taken]),
      ),
    );
    printHuman(flags, `mixed ${written.rows} records (seed ${flags.seed}) → ${flags.out}`);
    logSummary(flags, total);
  },
});

const split = defineCommand({
  path: ["data", "split"],
  description: "seeded train/validation split (optionally keeping groups such as articles together)",
  examples: [
    "cftkit data split data/xquad --validation 0.1 --group-by parallel_id --out-train train.jsonl --out-validation val.jsonl",
  ],
  args: { in: input() },
  options: {
    ...loadParams,
    validation: param(
      "--validation <share>",
      "share (0-1) or count of validation records/groups",
      number(z.number().gt(0)),
    ),
    outTrain: param("--out-train <file>", "train output", text(), { path: "output-file" }),
    outValidation: param("--out-validation <file>", "validation output", text(), { path: "output-file" }),
    groupBy: param(
      "--group-by <key>",
      "keep records sharing this key together",
      z.enum(["group", "parallel_id"]).optional(),
    ),
    seed,
    to: formatOption("--to <format>", "cftkit"),
  },
  async run(flags) {
    const summary = createLoadSummary();
    const records = await loadDataset(flags.in, loadOptions(flags, summary));
    const parts = splitRecords(records, {
      validation: flags.validation,
      seed: flags.seed,
      groupBy: flags.groupBy,
    });
    // Training layouts drop rows without a response: report the rows actually written.
    const train = await writeAs(flags.to, parts.train, flags.outTrain, summary);
    const validation = await writeAs(flags.to, parts.validation, flags.outValidation, summary);
    const result = { train: train.rows, validation: validation.rows, seed: flags.seed };
    if (flags.json) return printJson({ ...result, summary: summaryJson(summary) });
    printHuman(
      flags,
      `train ${result.train} → ${flags.outTrain}; validation ${result.validation} → ${flags.outValidation}`,
    );
  },
});

const align = defineCommand({
  path: ["data", "align"],
  description: "find the English counterpart (same parallel_id) of every non-English record",
  examples: ["cftkit data align data/xquad --out pairs.jsonl"],
  args: { in: input("multilingual file or folder") },
  options: {
    ...loadParams,
    english: param(
      "--english <path>",
      "English set (default: the English records of <in>)",
      text().optional(),
      { path: "input" },
    ),
    out: param(
      "--out <file>",
      "write pairs as JSONL {id, language, parallel_id, record, english}",
      text().optional(),
      { path: "output-file" },
    ),
    missingOut: param(
      "--missing-out <file>",
      "write the records without a counterpart (cftkit JSONL)",
      text().optional(),
      { path: "output-file" },
    ),
  },
  async run(flags) {
    const summary = createLoadSummary();
    const records = await loadDataset(flags.in, loadOptions(flags, summary));
    let english = records.filter((r) => r.language.split("-")[0] === "en");
    if (flags.english) {
      const enSummary = createLoadSummary();
      english = await loadDataset(flags.english, {
        ...loadOptions(flags, enSummary),
        language: flags.language ?? "en",
      });
      mergeSummaries(summary, enSummary);
    }
    const aligned = alignEnglish(records, english);
    if (flags.out) {
      await writeJsonlAtomic(flags.out, aligned.pairs, ({ record, english }) =>
        JSON.stringify({
          id: record.id,
          language: record.language,
          parallel_id: record.parallel_id,
          record,
          english,
        }),
      );
    }
    if (flags.missingOut) await writeRecordsJsonl(flags.missingOut, aligned.missing);
    const nonEnglish = aligned.pairs.length + aligned.missing.length;
    const perLanguage: Record<string, { records: number; aligned: number }> = {};
    for (const p of aligned.pairs) {
      const e = (perLanguage[p.record.language] ??= { records: 0, aligned: 0 });
      e.records++;
      e.aligned++;
    }
    for (const m of aligned.missing) (perLanguage[m.language] ??= { records: 0, aligned: 0 }).records++;
    if (flags.json)
      return printJson({
        records: records.length,
        english: english.length,
        non_english: nonEnglish,
        aligned: aligned.pairs.length,
        missing: aligned.missing.length,
        missing_ids: aligned.missing.slice(0, 100).map((r) => r.id),
        per_language: perLanguage,
        summary: summaryJson(summary),
      });
    const rows = Object.entries(perLanguage).map(([l, v]) => [l, v.records, v.aligned]);
    printHuman(flags, formatTable(["language", "records", "aligned"], rows));
    printHuman(
      flags,
      `${aligned.pairs.length} of ${nonEnglish} non-English records have an English counterpart; ${aligned.missing.length} missing`,
    );
  },
});

export const dataCommands = [stats, convert, sample, mix, split, align];
