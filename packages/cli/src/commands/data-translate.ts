import { resolve } from "node:path";
import { CftkitError, OpenAICompatibleClient } from "@cftkit/core";
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

interface TranslateFlags extends CommonOptions {
  to: string;
  out: string;
  server: string;
  model: string;
  apiKey?: string;
  from?: string;
  language?: string;
  count?: string;
  seed?: string;
  concurrency?: string;
  maxTokens?: string;
  timeoutMs?: string;
  maxRetries?: string;
}

/** `cftkit data translate`: machine-translate an instruction set (e.g. OpenOrca → MOpenOrca), resumable. */
export const dataTranslateCommand: CommandModule = {
  register(program: Command) {
    const data =
      program.commands.find((c) => c.name() === "data") ??
      program.command("data").description("instruction data: stats, convert, sample, mix, split, align");
    data
      .command("translate")
      .description(
        "translate every record into each --to language through an OpenAI-compatible server (e.g. OpenOrca → MOpenOrca); parallel ids kept, crash-safe and resumable, rejects kept in <out>.rejects.jsonl",
      )
      .argument("<input>", "data file or folder (any layout `cftkit data` reads)")
      .requiredOption(
        "--to <codes>",
        "target languages, comma-separated, or `multialpaca` for its 11 languages",
      )
      .requiredOption(
        "--out <file.jsonl>",
        "translated records (cftkit JSONL); rerun the same command to resume",
      )
      .requiredOption("--server <url>", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
      .requiredOption("--model <name>", "model name on the server")
      .option("--api-key <key>", "API key (default: $OPENAI_API_KEY)")
      .option("--from <format>", "input layout (as `cftkit data convert --from`)", "auto")
      .option("--language <tag>", "language of records that declare none (the source language)", "en")
      .option(
        "--count <n>",
        "translate a seeded sample of this many records (the paper: 50,000 OpenOrca rows)",
      )
      .option("--seed <s>", "sampling seed for --count", "0")
      .option("--concurrency <n>", "requests in flight", "8")
      .option("--max-tokens <n>", "most new tokens per translated field", "2048")
      .option("--timeout-ms <ms>", "per-request timeout", "300000")
      .option("--max-retries <n>", "retries per request", "6")
      .option("--json", "print one JSON document")
      .option("--quiet", "no progress on stderr")
      .action(async (input: string, flags: TranslateFlags) => {
        const { loadDataset, sampleRecords, DATASET_FORMATS } = await import("@cftkit/datasets");
        const { translateDataset, MULTIALPACA_LANGUAGES } = await import("@cftkit/replay");
        if (resolve(flags.out) === resolve(input)) {
          throw new CftkitError(
            "CLI_OUTPUT_IS_INPUT",
            `--out ${flags.out} is the input file: choose another path`,
          );
        }
        const languages =
          flags.to === "multialpaca" ? [...MULTIALPACA_LANGUAGES] : flags.to.split(",").map((l) => l.trim());
        if (languages.some((l) => !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l))) {
          throw new CftkitError(
            "CLI_BAD_OPTION",
            `--to must be language codes such as de,fr or multialpaca; got "${flags.to}"`,
          );
        }
        const format = flags.from ?? "auto";
        if (!(DATASET_FORMATS as readonly string[]).includes(format)) {
          throw new CftkitError(
            "DATA_UNKNOWN_FORMAT",
            `--from must be one of ${DATASET_FORMATS.join(", ")}; got "${format}"`,
          );
        }
        let records = await loadDataset(input, {
          format: format as (typeof DATASET_FORMATS)[number],
          language: flags.language,
        });
        if (flags.count !== undefined) {
          records = sampleRecords(records, {
            count: parseNumberOption("--count", flags.count),
            seed: parseNumberOption("--seed", flags.seed, 0),
          });
        }
        const client = new OpenAICompatibleClient({
          baseUrl: flags.server,
          model: flags.model,
          apiKey: flags.apiKey ?? process.env.OPENAI_API_KEY,
          concurrency: parseNumberOption("--concurrency", flags.concurrency, 8),
          timeoutMs: parseNumberOption("--timeout-ms", flags.timeoutMs, 300_000),
          maxRetries: parseNumberOption("--max-retries", flags.maxRetries, 6),
        });
        const controller = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          log(flags, `\n${signal}: stopping — no new requests; what finished is kept`);
          controller.abort(new Error(signal));
        };
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        let summary: Awaited<ReturnType<typeof translateDataset>>;
        try {
          summary = await translateDataset({
            records,
            languages,
            client,
            out: flags.out,
            maxTokens: parseNumberOption("--max-tokens", flags.maxTokens, 2048),
            sourceLanguage: flags.language ?? "en",
            signal: controller.signal,
            progress: progress(flags),
          });
        } finally {
          process.removeListener("SIGINT", onSignal);
          process.removeListener("SIGTERM", onSignal);
        }
        if (flags.json) printJson(summary);
        else {
          printHuman(
            flags,
            formatTable(
              ["language", "accepted", "rejected", "failed", "pending"],
              Object.entries(summary.byLanguage).map(([l, c]) => [
                l,
                c.accepted,
                c.rejected,
                c.failed,
                c.pending,
              ]),
            ),
          );
        }
        if (summary.pending > 0 || summary.failed > 0) {
          throw new CftkitError(
            summary.interrupted ? "TRANSLATE_INTERRUPTED" : "TRANSLATE_INCOMPLETE",
            `${summary.pending} of ${summary.requested} translations pending (${summary.failed} failed in this run); rerun the same command to resume`,
            { exitCode: 1 },
          );
        }
      });
  },
};
