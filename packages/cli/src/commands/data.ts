import {
  alignFileOptionsSchema,
  convertFileOptionsSchema,
  type DataFileRun,
  describeAlignment,
  describeConversion,
  describeDatasetStats,
  describeMix,
  describeSample,
  describeSplit,
  loadChoicesSchema,
  loadSummaryLines,
  mixFileOptionsSchema,
  mixFilesSchema,
  OUTPUT_LAYOUT_ALIASES,
  runDataAlign,
  runDataConvert,
  runDataMix,
  runDataSample,
  runDataSplit,
  runDataStats,
  sampleFileOptionsSchema,
  splitFilesSchema,
  statsFileOptionsSchema,
} from "@cftkit/datasets";
import { z } from "zod";
import { log, printResult, progress } from "../cli-output.js";
import { type CommonOptions, defineCommand, param, pathParam, text } from "../define-command.js";
import { checkedSchemaValues, optionsFrom } from "../schema-options.js";

/** How every `data` command reads its input. */
const loadParams = optionsFrom(loadChoicesSchema, {
  from: "format",
  language: "tag",
  onError: "mode",
  fields: "map",
  candidates: "codes",
});

const DATA_PATH = "file or folder (.json, .jsonl, .parquet, .gz)";
const input = (what = DATA_PATH) => pathParam("<in>", what, "input");
const outFile = () => pathParam("--out <file>", "output file (written atomically)", "output-file");
/** `--to <format>` also takes the older layout names. */
const toFlag = { metavar: "format", aliases: OUTPUT_LAYOUT_ALIASES };

/**
 * A run's notes on stderr, then its document with --json or else the human text, then the reading summary
 * on stderr.
 */
function printRun<D>(flags: CommonOptions, run: DataFileRun<D>, human: (doc: D) => string | string[]): void {
  for (const note of run.notes) log(flags, note);
  printResult(flags, run.document, () => human(run.document));
  if (!flags.json) for (const line of loadSummaryLines(run.summary)) log(flags, line);
}

const stats = defineCommand({
  path: ["data", "stats"],
  description: "rows, languages and length statistics of a data file or folder (streamed)",
  examples: ["cftkit data stats data/alpaca/alpaca_5000.json"],
  args: { path: pathParam("<path>", DATA_PATH, "input") },
  options: {
    ...loadParams,
    ...optionsFrom(statsFileOptionsSchema),
  },
  async run(flags) {
    const run = await runDataStats(flags.path, flags, { progress: progress(flags) });
    printRun(flags, run, (doc) => describeDatasetStats(doc.path, doc, doc.language_report));
  },
});

const convert = defineCommand({
  path: ["data", "convert"],
  description:
    "convert a data set to Axolotl alpaca/chat_template JSONL, the embedded trainer's input, or cftkit JSONL",
  examples: ["cftkit data convert data/alpaca/alpaca_5000.json --to embedded --out train.jsonl"],
  args: { in: input() },
  options: { ...loadParams, ...optionsFrom(convertFileOptionsSchema, { to: toFlag }), out: outFile() },
  async run(flags) {
    const run = await runDataConvert(flags.in, flags.out, flags, { progress: progress(flags) });
    printRun(flags, run, describeConversion);
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
    const run = await runDataSample(flags.in, flags.out, flags, { progress: progress(flags) });
    printRun(flags, run, describeSample);
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
    ...optionsFrom(mixFileOptionsSchema, { seed: "s", to: toFlag }),
  },
  async run(flags) {
    const mixFiles = checkedSchemaValues(mixFilesSchema, {}, flags);
    const run = await runDataMix(flags.out, { ...flags, ...mixFiles }, { progress: progress(flags) });
    printRun(flags, run, (doc) => describeMix(doc.parts, doc.rows, doc.seed, doc.out));
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
    ...optionsFrom(splitFilesSchema, {
      validation: "share",
      outTrain: "file",
      outValidation: "file",
      groupBy: "key",
      seed: "s",
      to: toFlag,
    }),
  },
  async run(flags) {
    const { document } = await runDataSplit(flags.in, flags, { progress: progress(flags) });
    printResult(flags, document, () => describeSplit(document, flags));
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
    const { document } = await runDataAlign(flags.in, flags, { progress: progress(flags) });
    printResult(flags, document, () => describeAlignment(document));
  },
});

export const dataCommands = [stats, convert, sample, mix, split, align];
