import {
  alignEnglish,
  createLoadSummary,
  DATASET_FORMATS,
  type DatasetFormat,
  exportAxolotl,
  exportEmbedded,
  type FieldMapping,
  type InstructionRecord,
  type LoadOptions,
  type LoadSummary,
  languageReport,
  loadDataset,
  mergeSummaries,
  mixRecords,
  type RecordSource,
  sampleRecords,
  sampleStream,
  StatsAccumulator,
  splitRecords,
  streamDataset,
  writeRecordsJsonl,
  writeJsonlAtomic,
} from "@cftkit/datasets";
import { CftkitError } from "@cftkit/core";
import type { Command } from "commander";
import {
  type CommonOptions,
  formatTable,
  log,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface LoadFlags extends CommonOptions {
  from?: string;
  language?: string;
  onError?: string;
  fields?: string;
  detectLanguage?: boolean;
  candidates?: string;
}

const TARGETS = ["axolotl-alpaca", "axolotl-chat", "embedded", "cftkit"] as const;
type Target = (typeof TARGETS)[number];

function loadOptions(flags: LoadFlags, summary: LoadSummary): LoadOptions {
  const format = (flags.from ?? "auto") as DatasetFormat;
  if (!DATASET_FORMATS.includes(format)) {
    throw new CftkitError(
      "DATA_UNKNOWN_FORMAT",
      `--from must be one of ${DATASET_FORMATS.join(", ")}; got "${flags.from}"`,
    );
  }
  const onError = flags.onError ?? "fail";
  if (onError !== "fail" && onError !== "skip") {
    throw new CftkitError("CLI_BAD_OPTION", `--on-error must be fail or skip; got "${onError}"`);
  }
  const options: LoadOptions = { format, onError, summary, progress: progress(flags) };
  if (flags.language) options.language = flags.language;
  if (flags.detectLanguage) options.detectLanguage = true;
  if (flags.candidates) options.languageCandidates = flags.candidates.split(",").map((s) => s.trim());
  if (flags.fields) {
    const fields: FieldMapping = {};
    for (const pair of flags.fields.split(",")) {
      const [k, v] = pair.split("=").map((s) => s.trim());
      if (!k || !v)
        throw new CftkitError("CLI_BAD_OPTION", `--fields expects key=column pairs, got "${pair}"`);
      (fields as Record<string, string>)[k] = v;
    }
    options.fields = fields;
  }
  return options;
}

function parseTarget(raw: string | undefined): Target {
  const to = (raw ?? "cftkit") as Target;
  if (!TARGETS.includes(to))
    throw new CftkitError("CLI_BAD_OPTION", `--to must be one of ${TARGETS.join(", ")}; got "${raw}"`);
  return to;
}

async function writeAs(
  to: Target,
  records: RecordSource,
  out: string,
  summary?: LoadSummary,
): Promise<{ rows: number; datasetEntry?: object }> {
  switch (to) {
    case "axolotl-alpaca":
      return exportAxolotl(records, { type: "alpaca", out, summary });
    case "axolotl-chat":
      return exportAxolotl(records, { type: "chat_template", out, summary });
    case "embedded":
      return exportEmbedded(records, out, { summary });
    case "cftkit":
      return writeRecordsJsonl(out, records);
  }
}

function summaryJson(summary: LoadSummary) {
  return {
    read: summary.read,
    written: summary.written,
    skipped: summary.skipped,
    reasons: summary.reasons,
    empty_output: summary.emptyOutput,
    issues: summary.issues,
    file_issues: summary.fileIssues,
    files: summary.files,
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

function withLoadFlags(cmd: Command): Command {
  return cmd
    .option("--from <format>", `input layout: ${DATASET_FORMATS.join("|")}`, "auto")
    .option("--language <tag>", "language of records that declare none")
    .option("--on-error <mode>", "fail|skip a bad row or file", "fail")
    .option("--fields <map>", "custom layout, e.g. instruction=q,output=a,input=ctx")
    .option("--detect-language", "detect the language of untagged records (tinyld)")
    .option("--candidates <codes>", "restrict language detection to these codes, e.g. en,fr,de")
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr");
}

export const dataCommand: CommandModule = {
  register(program: Command) {
    const data = program
      .command("data")
      .description("instruction data: stats, convert, sample, mix, split, align");

    withLoadFlags(
      data
        .command("stats")
        .description("rows, languages and length statistics of a data file or folder (streamed)")
        .argument("<path>", "file or folder (.json, .jsonl, .parquet, .gz)")
        .option("--language-report", "also compare declared languages with tinyld's detection"),
    ).action(async (path: string, flags: LoadFlags & { languageReport?: boolean }) => {
      const summary = createLoadSummary();
      const acc = new StatsAccumulator();
      const kept: InstructionRecord[] = [];
      for await (const r of streamDataset(path, loadOptions(flags, summary))) {
        acc.add(r);
        if (flags.languageReport) kept.push(r);
      }
      const stats = acc.result();
      const result: Record<string, unknown> = { path, ...stats, summary: summaryJson(summary) };
      if (flags.languageReport) {
        const report = languageReport(kept, {
          candidates: flags.candidates ? flags.candidates.split(",") : undefined,
        });
        result.language_report = report;
      }
      if (flags.json) return printJson(result);
      printHuman(
        flags,
        `${path}: ${stats.rows} rows, ${stats.withInput} with input, ${stats.multiTurn} multi-turn`,
      );
      printHuman(
        flags,
        formatTable(
          ["language", "rows"],
          Object.entries(stats.languages).sort((a, b) => b[1] - a[1]),
        ),
      );
      const l = (s: typeof stats.promptLength) => [s.min, s.p50, s.mean.toFixed(1), s.p95, s.max];
      printHuman(
        flags,
        formatTable(
          ["length (words)", "min", "p50", "mean", "p95", "max"],
          [
            ["prompt", ...l(stats.promptLength)],
            ["output", ...l(stats.outputLength)],
          ],
        ),
      );
      if (flags.languageReport) {
        const report = result.language_report as ReturnType<typeof languageReport>;
        printHuman(flags, `language agreement: ${(report.agreement * 100).toFixed(2)}% of ${report.checked}`);
      }
      logSummary(flags, summary);
    });

    withLoadFlags(
      data
        .command("convert")
        .description(
          "convert a data set to Axolotl alpaca/chat_template JSONL, the embedded trainer's input, or cftkit JSONL",
        )
        .argument("<in>", "file or folder")
        .requiredOption("--to <target>", TARGETS.join("|"))
        .requiredOption("--out <file>", "output file (written atomically)"),
    ).action(async (input: string, flags: LoadFlags & { to: string; out: string }) => {
      const to = parseTarget(flags.to);
      const summary = createLoadSummary();
      const written = await writeAs(
        to,
        streamDataset(input, loadOptions(flags, summary)),
        flags.out,
        summary,
      );
      const result = {
        in: input,
        out: flags.out,
        to,
        rows: written.rows,
        datasetEntry: written.datasetEntry,
        summary: summaryJson(summary),
      };
      if (flags.json) return printJson(result);
      printHuman(flags, `wrote ${written.rows} rows to ${flags.out} (${to})`);
      if (written.datasetEntry)
        printHuman(flags, `axolotl datasets entry: ${JSON.stringify(written.datasetEntry)}`);
      logSummary(flags, summary);
    });

    withLoadFlags(
      data
        .command("sample")
        .description("seeded sample (count or ratio; optionally stratified by language)")
        .argument("<in>", "file or folder")
        .requiredOption("--out <file>", "output file")
        .option("--count <n>", "records to keep")
        .option("--ratio <r>", "fraction to keep (0-1)")
        .option("--seed <s>", "random seed", "0")
        .option("--stratify <key>", "language: keep each language's share")
        .option("--to <target>", TARGETS.join("|"), "cftkit"),
    ).action(
      async (
        input: string,
        flags: LoadFlags & {
          out: string;
          count?: string;
          ratio?: string;
          seed: string;
          stratify?: string;
          to: string;
        },
      ) => {
        const to = parseTarget(flags.to);
        const seed = parseNumberOption("--seed", flags.seed);
        const count = flags.count === undefined ? undefined : parseNumberOption("--count", flags.count);
        const ratio = flags.ratio === undefined ? undefined : parseNumberOption("--ratio", flags.ratio);
        if (flags.stratify && flags.stratify !== "language") {
          throw new CftkitError("CLI_BAD_OPTION", `--stratify supports only "language"`);
        }
        const summary = createLoadSummary();
        const stream = streamDataset(input, loadOptions(flags, summary));
        let written: { rows: number; datasetEntry?: object };
        if (flags.stratify === "language" || (ratio !== undefined && count === undefined)) {
          // Exact ratio / stratified: needs every record in memory.
          const records: InstructionRecord[] = [];
          for await (const r of stream) records.push(r);
          const options = {
            seed,
            stratifyBy: flags.stratify === "language" ? ("language" as const) : undefined,
          };
          written = await writeAs(
            to,
            sampleRecords(records, count !== undefined ? { ...options, count } : { ...options, ratio }),
            flags.out,
          );
        } else {
          // Two streamed passes: count the rows, then keep the seeded positions (memory: one byte per row).
          let total = 0;
          for await (const _ of streamDataset(input, {
            ...loadOptions(flags, createLoadSummary()),
            progress: undefined,
          }))
            total++;
          written = await writeAs(to, sampleStream(stream, { count, seed, total }), flags.out);
        }
        const result = {
          in: input,
          out: flags.out,
          rows: written.rows,
          seed,
          count,
          ratio,
          stratify: flags.stratify ?? null,
          summary: summaryJson(summary),
        };
        if (flags.json) return printJson(result);
        printHuman(
          flags,
          `sampled ${written.rows} of ${summary.written} records (seed ${seed}) → ${flags.out}`,
        );
        logSummary(flags, summary);
      },
    );

    withLoadFlags(
      data
        .command("mix")
        .description("mix several data sets by ratio or count (seeded)")
        .argument("<inputs...>", "files or folders")
        .requiredOption("--out <file>", "output file")
        .option("--ratios <list>", "comma-separated shares, one per input")
        .option("--counts <list>", "comma-separated counts, one per input")
        .option("--total <n>", "total size with --ratios")
        .option("--seed <s>", "random seed", "0")
        .option("--to <target>", TARGETS.join("|"), "cftkit"),
    ).action(
      async (
        inputs: string[],
        flags: LoadFlags & {
          out: string;
          ratios?: string;
          counts?: string;
          total?: string;
          seed: string;
          to: string;
        },
      ) => {
        const to = parseTarget(flags.to);
        const seed = parseNumberOption("--seed", flags.seed);
        const list = (raw: string | undefined, flag: string) =>
          raw === undefined ? undefined : raw.split(",").map((v) => parseNumberOption(flag, v));
        const ratios = list(flags.ratios, "--ratios");
        const counts = list(flags.counts, "--counts");
        for (const [name, l] of [
          ["--ratios", ratios],
          ["--counts", counts],
        ] as const) {
          if (l && l.length !== inputs.length) {
            throw new CftkitError(
              "CLI_BAD_OPTION",
              `${name} needs one value per input (${inputs.length}), got ${l.length}`,
            );
          }
        }
        const total = createLoadSummary();
        const parts = [];
        for (const [i, input] of inputs.entries()) {
          const summary = createLoadSummary();
          const records = await loadDataset(input, loadOptions(flags, summary));
          mergeSummaries(total, summary);
          parts.push({ name: input, records, ratio: ratios?.[i], count: counts?.[i] });
        }
        const mixed = mixRecords(parts, {
          seed,
          total: flags.total === undefined ? undefined : parseNumberOption("--total", flags.total),
        });
        const written = await writeAs(to, mixed.records, flags.out, total);
        const result = {
          out: flags.out,
          rows: written.rows,
          seed,
          parts: mixed.parts,
          summary: summaryJson(total),
        };
        if (flags.json) return printJson(result);
        printHuman(
          flags,
          formatTable(
            ["part", "available", "taken"],
            mixed.parts.map((p) => [p.name, p.available, p.taken]),
          ),
        );
        printHuman(flags, `mixed ${written.rows} records (seed ${seed}) → ${flags.out}`);
        logSummary(flags, total);
      },
    );

    withLoadFlags(
      data
        .command("split")
        .description("seeded train/validation split (optionally keeping groups such as articles together)")
        .argument("<in>", "file or folder")
        .requiredOption("--validation <share>", "share (0-1) or count of validation records/groups")
        .requiredOption("--out-train <file>", "train output")
        .requiredOption("--out-validation <file>", "validation output")
        .option("--group-by <key>", "group|parallel_id")
        .option("--seed <s>", "random seed", "0")
        .option("--to <target>", TARGETS.join("|"), "cftkit"),
    ).action(
      async (
        input: string,
        flags: LoadFlags & {
          validation: string;
          outTrain: string;
          outValidation: string;
          groupBy?: string;
          seed: string;
          to: string;
        },
      ) => {
        const to = parseTarget(flags.to);
        const seed = parseNumberOption("--seed", flags.seed);
        if (flags.groupBy && flags.groupBy !== "group" && flags.groupBy !== "parallel_id") {
          throw new CftkitError("CLI_BAD_OPTION", `--group-by must be group or parallel_id`);
        }
        const summary = createLoadSummary();
        const records = await loadDataset(input, loadOptions(flags, summary));
        const split = splitRecords(records, {
          validation: parseNumberOption("--validation", flags.validation),
          seed,
          groupBy: flags.groupBy as "group" | "parallel_id" | undefined,
        });
        // Training targets drop rows without a response: report the rows actually written.
        const train = await writeAs(to, split.train, flags.outTrain, summary);
        const validation = await writeAs(to, split.validation, flags.outValidation, summary);
        const result = {
          train: train.rows,
          validation: validation.rows,
          seed,
          summary: summaryJson(summary),
        };
        if (flags.json) return printJson(result);
        printHuman(
          flags,
          `train ${train.rows} → ${flags.outTrain}; validation ${validation.rows} → ${flags.outValidation}`,
        );
      },
    );

    withLoadFlags(
      data
        .command("align")
        .description("find the English counterpart (same parallel_id) of every non-English record")
        .argument("<in>", "multilingual file or folder")
        .option("--english <path>", "English set (default: the English records of <in>)")
        .option("--out <file>", "write pairs as JSONL {id, language, parallel_id, record, english}")
        .option("--missing-out <file>", "write the records without a counterpart (cftkit JSONL)"),
    ).action(
      async (input: string, flags: LoadFlags & { english?: string; out?: string; missingOut?: string }) => {
        const summary = createLoadSummary();
        const records = await loadDataset(input, loadOptions(flags, summary));
        let english: InstructionRecord[];
        if (flags.english) {
          const enSummary = createLoadSummary();
          english = await loadDataset(flags.english, {
            ...loadOptions(flags, enSummary),
            language: flags.language ?? "en",
          });
          mergeSummaries(summary, enSummary);
        } else english = records.filter((r) => r.language.split("-")[0] === "en");
        const aligned = alignEnglish(records, english);
        if (flags.out) {
          await writeJsonlAtomic(flags.out, aligned.pairs, (p) =>
            JSON.stringify({
              id: p.record.id,
              language: p.record.language,
              parallel_id: p.record.parallel_id,
              record: p.record,
              english: p.english,
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
        const result = {
          records: records.length,
          english: english.length,
          non_english: nonEnglish,
          aligned: aligned.pairs.length,
          missing: aligned.missing.length,
          missing_ids: aligned.missing.slice(0, 100).map((r) => r.id),
          per_language: perLanguage,
          summary: summaryJson(summary),
        };
        if (flags.json) return printJson(result);
        printHuman(
          flags,
          formatTable(
            ["language", "records", "aligned"],
            Object.entries(perLanguage).map(([l, v]) => [l, v.records, v.aligned]),
          ),
        );
        printHuman(
          flags,
          `${aligned.pairs.length} of ${nonEnglish} non-English records have an English counterpart; ${aligned.missing.length} missing`,
        );
      },
    );
  },
};
