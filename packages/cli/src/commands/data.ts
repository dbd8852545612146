import { CftkitError } from "@cftkit/core";
import {
  alignDatasetFiles,
  alignFileOptionsSchema,
  createLoadSummary,
  datasetFileStats,
  describeAlignment,
  describeDatasetStats,
  describeMix,
  loadChoicesSchema,
  loadOptionsFromChoices,
  type LoadOptions,
  type LoadSummary,
  loadSummaryJson,
  loadSummaryLines,
  mixDatasetFiles,
  mixFileOptionsSchema,
  OUTPUT_LAYOUT_ALIASES,
  sampleDatasetFile,
  sampleFileOptionsSchema,
  splitDatasetFile,
  splitFileOptionsSchema,
  streamDataset,
  writeRecordsAs,
} from "@cftkit/datasets";
import { z } from "zod";
import { log, printResult, progress } from "../cli-output.js";
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
  pathParam,
} from "../define-command.js";
import { formatOption } from "../output-format.js";
import { optionsFrom } from "../schema-options.js";

/** How every `data` command reads its input. */
const loadParams = optionsFrom(loadChoicesSchema, {
  from: "format",
  language: "tag",
  onError: "mode",
  fields: "map",
  candidates: "codes",
});
type LoadFlags = Values<typeof loadParams> & CommonOptions;

const DATA_PATH = "file or folder (.json, .jsonl, .parquet, .gz)";
const input = (what = DATA_PATH) => pathParam("<in>", what, "input");
const outFile = () => pathParam("--out <file>", "output file (written atomically)", "output-file");
/** `--to <format>` also takes the older layout names. */
const toFlag = { metavar: "format", aliases: OUTPUT_LAYOUT_ALIASES };

function loadOptions(flags: LoadFlags, summary: LoadSummary): LoadOptions & { summary: LoadSummary } {
  return { ...loadOptionsFromChoices(flags), summary, progress: progress(flags) };
}

/** With --json, one document with the reading summary in it; else the human text, then the summary on stderr. */
function printRead(
  flags: CommonOptions,
  summary: LoadSummary,
  json: object,
  human: () => string | string[],
): void {
  printResult(flags, { ...json, summary: loadSummaryJson(summary) }, human);
  if (!flags.json) for (const line of loadSummaryLines(summary)) log(flags, line);
}

const stats = defineCommand({
  path: ["data", "stats"],
  description: "rows, languages and length statistics of a data file or folder (streamed)",
  examples: ["cftkit data stats data/alpaca/alpaca_5000.json"],
  args: { path: pathParam("<path>", DATA_PATH, "input") },
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
    const { stats: s, languageReport: report } = await datasetFileStats(
      flags.path,
      loadOptions(flags, summary),
      flags,
    );
    const json = {
      path: flags.path,
      ...s,
      summary: loadSummaryJson(summary), // here, so it comes before language_report
      ...(report ? { language_report: report } : {}),
    };
    printRead(flags, summary, json, () => describeDatasetStats(flags.path, s, report));
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
    const written = await writeRecordsAs(
      flags.to,
      streamDataset(flags.in, loadOptions(flags, summary)),
      flags.out,
      summary,
    );
    const { in: input, out, to } = flags;
    const { rows, datasetEntry } = written;
    printRead(flags, summary, { in: input, out, to, rows, datasetEntry }, () => [
      `wrote ${rows} rows to ${out} (${to})`,
      ...(datasetEntry ? [`axolotl datasets entry: ${JSON.stringify(datasetEntry)}`] : []),
    ]);
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
    ...optionsFrom(sampleFileOptionsSchema, {
      ratio: "r",
      seed: "s",
      stratify: "key",
      to: toFlag,
    }),
  },
  async run(flags) {
    const { count: n, ratio, seed, stratify } = flags;
    const summary = createLoadSummary();
    const written = await sampleDatasetFile(flags.in, flags.out, loadOptions(flags, summary), flags);
    if (n !== undefined && written.available !== undefined && n > written.available)
      log(
        flags,
        `note: --count ${n} is more than the ${written.available} records of ${flags.in}; keeping all of them`,
      );
    const json = {
      in: flags.in,
      out: flags.out,
      rows: written.rows,
      seed,
      count: n,
      ratio,
      stratify: stratify ?? null,
    };
    printRead(
      flags,
      summary,
      json,
      () => `sampled ${written.rows} of ${summary.written} records (seed ${seed}) → ${flags.out}`,
    );
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
    ...optionsFrom(mixFileOptionsSchema, { seed: "s", to: toFlag }),
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
    const inputs = flags.inputs.map((path, i) => ({
      path,
      ratio: flags.ratios?.[i],
      count: flags.counts?.[i],
    }));
    const mixed = await mixDatasetFiles(inputs, flags.out, loadOptions(flags, createLoadSummary()), flags);
    const { out, seed } = flags;
    printRead(flags, mixed.summary, { out, rows: mixed.rows, seed, parts: mixed.parts }, () =>
      describeMix(mixed.parts, mixed.rows, seed, out),
    );
  },
});

const splitOptions = optionsFrom(splitFileOptionsSchema, {
  validation: "share",
  groupBy: "key",
  seed: "s",
  to: toFlag,
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
    validation: splitOptions.validation,
    outTrain: pathParam("--out-train <file>", "train output", "output-file"),
    outValidation: pathParam("--out-validation <file>", "validation output", "output-file"),
    groupBy: splitOptions.groupBy,
    seed: splitOptions.seed,
    to: splitOptions.to,
  },
  async run(flags) {
    const summary = createLoadSummary();
    const written = await splitDatasetFile(
      flags.in,
      { train: flags.outTrain, validation: flags.outValidation },
      loadOptions(flags, summary),
      flags,
    );
    const result = { ...written, seed: flags.seed, summary: loadSummaryJson(summary) };
    printResult(
      flags,
      result,
      () =>
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
    ...optionsFrom(alignFileOptionsSchema, { english: "path", out: "file", missingOut: "file" }),
  },
  async run(flags) {
    const summary = createLoadSummary();
    const result = await alignDatasetFiles(flags.in, loadOptions(flags, summary), flags);
    printResult(flags, { ...result, summary: loadSummaryJson(summary) }, () => describeAlignment(result));
  },
});

export const dataCommands = [stats, convert, sample, mix, split, align];
