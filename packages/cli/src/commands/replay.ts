import { CftkitError, OpenAICompatibleClient } from "@cftkit/core";
import {
  embeddedGenerator,
  type GenerativeModel,
  type GenerativeReplaySummary,
  type MixFormat,
  mixReplayFiles,
  openAIChatGenerator,
  openAICompletionGenerator,
  type QualityFilterOptions,
  type ReplayGenerator,
  runEnglishReplay,
  type EnglishReplayManifest,
  type GenerativeReplayManifest,
  REPLAY_MODES,
  type ReplayMode,
  runGenerativeReplayFiles,
  type SamplingSettings,
} from "@cftkit/replay";
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

interface SelectionFlags extends CommonOptions {
  phase2?: string;
  english: string;
  exclude?: string[];
  ratio?: string;
  count?: string;
  seed?: string;
  mode?: string;
  out: string;
}

interface GrFlags extends SelectionFlags {
  server?: string;
  model?: string;
  apiKey?: string;
  completions?: boolean;
  template?: string;
  modelDir?: string;
  initTiny?: string;
  maxTokens?: string;
  temperature?: string;
  topP?: string;
  concurrency?: string;
  timeoutMs?: string;
  maxRetries?: string;
  backoffMs?: string;
  backoffMaxMs?: string;
  requestBudget?: string;
  batchSize?: string;
  fsyncEvery?: string;
  language?: string;
  filterEmpty?: boolean;
  filterTruncated?: boolean;
  filterRefusal?: boolean;
  minChars?: string;
}

interface MixFlags extends CommonOptions {
  phase2: string;
  replay: string[];
  seed?: string;
  out: string;
  format?: string;
}

function selectionArgs(flags: SelectionFlags) {
  if ((flags.ratio === undefined) === (flags.count === undefined)) {
    throw new CftkitError("CLI_BAD_OPTION", "give exactly one of --ratio or --count");
  }
  return {
    phase2: flags.phase2,
    english: flags.english,
    exclude: flags.exclude ?? [],
    ratio: flags.ratio === undefined ? undefined : parseNumberOption("--ratio", flags.ratio),
    count: flags.count === undefined ? undefined : parseNumberOption("--count", flags.count),
    seed: parseNumberOption("--seed", flags.seed, 0),
    mode: replayMode(flags.mode),
    outDir: flags.out,
  };
}

function replayMode(mode: string | undefined): ReplayMode | "auto" {
  const m = mode ?? "auto";
  if (!(REPLAY_MODES as readonly string[]).includes(m)) {
    throw new CftkitError("CLI_BAD_OPTION", `--mode must be ${REPLAY_MODES.join(", ")}; got "${mode}"`);
  }
  return m as ReplayMode | "auto";
}

/** Say on stderr which mode chose the items and how many, and warn loudly about a shortfall. */
function reportSelection(flags: SelectionFlags, selection: EnglishReplayManifest["selection"]): void {
  const size =
    selection.ratio === null
      ? `--count ${selection.target}`
      : `round(${selection.ratio} × |Phase 2| = ${selection.phase2Size}) = ${selection.target}`;
  const how =
    selection.mode === "twins"
      ? "the English twins (shared parallel_id) of the Phase-2 records"
      : "the English counterpart dataset itself";
  log(flags, `replay: mode ${selection.mode} (${selection.modeReason}): sampling ${how}; target ${size}`);
  if (selection.shortfall > 0) {
    log(
      flags,
      `WARNING: replay is SHORT by ${selection.shortfall} of ${selection.target}: only ${selection.selected} English candidates are left (${selection.availableEnglish} found, ${selection.excluded.total} excluded as evaluation items)`,
    );
  }
}

function withSelectionOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      "--english <file>",
      "the English counterpart: twins sharing parallel_id with the Phase-2 set, or the counterpart dataset (Alpaca for MultiAlpaca)",
    )
    .option(
      "--phase2 <file>",
      "the Phase-2 (multilingual) set; --ratio is a fraction of its size (without it, only --count is accepted)",
    )
    .option(
      "--exclude <files...>",
      "evaluation sets whose items are never replayed (by id, parallel_id, instruction)",
    )
    .option("--ratio <r>", "replay size as a fraction of the Phase-2 size (0.10 = 10%)")
    .option("--count <n>", "replay size as a count")
    .option("--seed <s>", "sampling seed", "0")
    .option(
      "--mode <m>",
      "twins: replay the English twins (shared parallel_id) of Phase-2 records; counterpart: sample the English counterpart dataset (no shared ids, e.g. MultiAlpaca ↔ Alpaca); auto: twins when any exist",
      "auto",
    )
    .requiredOption("--out <dir>", "output folder (replay.jsonl, manifest.json)")
    .option("--json", "print one JSON document on stdout")
    .option("--quiet", "no progress");
}

async function loadEmbeddedModel(flags: GrFlags): Promise<{ model: GenerativeModel; name: string }> {
  // Loaded lazily: only `--model-dir` / `--init-tiny` runs need the embedded LM.
  const lm = (await import("@cftkit/lm")) as unknown as {
    CausalLM?: {
      load(dir: string): Promise<GenerativeModel>;
      init(options: { preset: "tiny" | "small"; seed: number }): Promise<GenerativeModel>;
    };
  };
  if (!lm.CausalLM)
    throw new CftkitError("REPLAY_NO_EMBEDDED_LM", "@cftkit/lm does not provide CausalLM", { exitCode: 1 });
  if (flags.modelDir) return { model: await lm.CausalLM.load(flags.modelDir), name: flags.modelDir };
  const seed = parseNumberOption("--init-tiny", flags.initTiny);
  return { model: await lm.CausalLM.init({ preset: "tiny", seed }), name: `init:tiny:seed=${seed}` };
}

async function buildGenerator(flags: GrFlags): Promise<ReplayGenerator> {
  const sampling: SamplingSettings = {
    maxTokens: parseNumberOption("--max-tokens", flags.maxTokens, 512),
    temperature: parseNumberOption("--temperature", flags.temperature, 0),
    topP: parseNumberOption("--top-p", flags.topP, 1),
    seed: parseNumberOption("--seed", flags.seed, 0),
  };
  const sources = [flags.server, flags.modelDir, flags.initTiny].filter((x) => x !== undefined).length;
  if (sources !== 1) {
    throw new CftkitError(
      "CLI_BAD_OPTION",
      "give exactly one generator: --server URL --model NAME, --model-dir DIR or --init-tiny SEED",
    );
  }
  if (flags.server) {
    if (!flags.model) throw new CftkitError("CLI_MISSING_OPTION", "--model is required with --server");
    const client = new OpenAICompatibleClient({
      baseUrl: flags.server,
      model: flags.model,
      apiKey: flags.apiKey ?? process.env.OPENAI_API_KEY,
      concurrency: parseNumberOption("--concurrency", flags.concurrency, 8),
      timeoutMs: parseNumberOption("--timeout-ms", flags.timeoutMs, 120_000),
      maxRetries: parseNumberOption("--max-retries", flags.maxRetries, 6),
      backoff: {
        baseMs: parseNumberOption("--backoff-ms", flags.backoffMs, 500),
        maxMs: parseNumberOption("--backoff-max-ms", flags.backoffMaxMs, 30_000),
        jitter: 0.5,
      },
      requestBudget:
        flags.requestBudget === undefined
          ? undefined
          : parseNumberOption("--request-budget", flags.requestBudget),
    });
    if (flags.completions) return openAICompletionGenerator(client, flags.template ?? "chatml", sampling);
    return openAIChatGenerator(client, sampling);
  }
  const { model, name } = await loadEmbeddedModel(flags);
  return embeddedGenerator(model, {
    ...sampling,
    modelName: name,
    batchSize: parseNumberOption("--batch-size", flags.batchSize, 4),
  });
}

function filtersOf(flags: GrFlags): QualityFilterOptions {
  const language = flags.language ?? "en";
  return {
    empty: flags.filterEmpty !== false,
    truncated: flags.filterTruncated !== false,
    refusal: flags.filterRefusal !== false,
    language: language === "none" ? null : language,
    minChars: parseNumberOption("--min-chars", flags.minChars, 0),
  };
}

/** GR ended with fewer records than its target after trying every candidate: loud, or an error when none. */
function reportGrShortfall(flags: GrFlags, manifest: GenerativeReplayManifest): void {
  if (manifest.status !== "short" || !manifest.output) return;
  const o = manifest.output;
  const why = `the quality filters rejected ${o.tried - o.accepted} of the ${o.tried} candidates generated for (see ${o.rejectsFile}; --no-filter-* and --language none relax them)`;
  if (o.accepted === 0) {
    throw new CftkitError("REPLAY_NOTHING_ACCEPTED", `no replay record was kept: ${why}`);
  }
  log(flags, `WARNING: replay is SHORT by ${o.shortfall} of ${o.target}: ${why}`);
}

function grHuman(summary: GenerativeReplaySummary): string {
  const rows: (string | number)[][] = [
    ["requested", summary.requested],
    ["accepted", summary.accepted],
    ...Object.entries(summary.rejected.byReason).map(([k, v]) => [`rejected: ${k}`, v]),
    ["failed", summary.failed.total],
    ["pending", summary.pending],
    ["resumed (already done)", summary.resumed.accepted + summary.resumed.rejected],
    ["this run: items/s", summary.thisRun.itemsPerSecond.toFixed(2)],
  ];
  return `${formatTable(["generative replay", "count"], rows)}\n${summary.out}`;
}

export const replayCommand: CommandModule = {
  register(program: Command) {
    const replay = program
      .command("replay")
      .description(
        "English replay (ER) and generative replay (GR) buffers, and mixing them into the Phase-2 set",
      );

    withSelectionOptions(
      replay.command("er").description("English replay: English counterparts with their original responses"),
    ).action(async (flags: SelectionFlags) => {
      const manifest = await runEnglishReplay(selectionArgs(flags));
      reportSelection(flags, manifest.selection);
      if (flags.json) printJson(manifest);
      else {
        printHuman(
          flags,
          formatTable(
            ["english replay", "value"],
            [
              ["mode", manifest.selection.mode],
              ["phase-2 size", manifest.selection.phase2Size ?? "none"],
              ["target", manifest.selection.target],
              ["selected", manifest.selection.selected],
              ["excluded (eval)", manifest.selection.excluded.total],
              ["shortfall", manifest.selection.shortfall],
              ["seed", manifest.selection.seed],
            ],
          ),
        );
      }
    });

    withSelectionOptions(
      replay
        .command("gr")
        .description(
          "Generative replay: responses to the English counterpart instructions from the Phase-1 model (resumable)",
        ),
    )
      .option("--server <url>", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
      .option("--model <name>", "model name on the server")
      .option("--api-key <key>", "API key (default: $OPENAI_API_KEY)")
      .option(
        "--completions",
        "use /v1/completions with a local chat template instead of /v1/chat/completions",
      )
      .option(
        "--template <name>",
        "local chat template for --completions: chatml, llama3, mistral, alpaca",
        "chatml",
      )
      .option("--model-dir <dir>", "generate with the embedded model (@cftkit/lm) from this HF folder")
      .option("--init-tiny <seed>", "generate with a fresh random tiny embedded model (pipeline checks only)")
      .option("--max-tokens <n>", "most new tokens per response", "512")
      .option("--temperature <t>", "0 = greedy", "0")
      .option("--top-p <p>", "nucleus sampling", "1")
      .option("--concurrency <n>", "requests in flight", "8")
      .option("--timeout-ms <ms>", "per-request timeout", "120000")
      .option("--max-retries <n>", "retries per request (5xx, 429, resets, timeouts)", "6")
      .option("--backoff-ms <ms>", "first backoff", "500")
      .option("--backoff-max-ms <ms>", "longest backoff", "30000")
      .option("--request-budget <n>", "stop after this many HTTP requests in total")
      .option("--batch-size <n>", "embedded model: prompts per generate call", "4")
      .option("--fsync-every <n>", "fsync the output after this many records", "32")
      .option("--language <code>", "expected response language, or none", "en")
      .option("--no-filter-empty", "keep empty responses")
      .option("--no-filter-truncated", "keep responses cut at --max-tokens")
      .option("--no-filter-refusal", "keep refusals")
      .option("--min-chars <n>", "reject responses shorter than this", "0")
      .action(async (flags: GrFlags) => {
        const generator = await buildGenerator(flags);
        const controller = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          log(flags, `\n${signal}: stopping — no new requests; flushing what finished…`);
          controller.abort(new Error(signal));
        };
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        let result: Awaited<ReturnType<typeof runGenerativeReplayFiles>>;
        try {
          result = await runGenerativeReplayFiles({
            ...selectionArgs(flags),
            generator,
            filters: filtersOf(flags),
            signal: controller.signal,
            progress: progress(flags),
            fsyncEvery: parseNumberOption("--fsync-every", flags.fsyncEvery, 32),
          });
        } finally {
          process.removeListener("SIGINT", onSignal);
          process.removeListener("SIGTERM", onSignal);
        }
        const { summary, manifest } = result;
        reportSelection(flags, manifest.selection);
        if (flags.json) printJson({ ...summary, manifest });
        else printHuman(flags, grHuman(summary));
        reportGrShortfall(flags, manifest);
        const resume = `resume with the same command (finished items are kept and skipped)`;
        if (summary.interrupted) {
          throw new CftkitError(
            "REPLAY_INTERRUPTED",
            `interrupted with ${summary.pending} of ${summary.requested} items pending; ${resume}`,
            { exitCode: 1 },
          );
        }
        if (summary.stoppedBy) {
          throw new CftkitError(summary.stoppedBy.code, `${summary.stoppedBy.message}; ${resume}`, {
            exitCode: 1,
          });
        }
        if (summary.failed.total > 0) {
          throw new CftkitError(
            "REPLAY_ITEMS_FAILED",
            `${summary.failed.total} items failed (${Object.entries(summary.failed.byCode)
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")}); ${resume} to retry them`,
            { exitCode: 1 },
          );
        }
      });

    replay
      .command("mix")
      .description(
        "Merge replay buffers into the Phase-2 set (seeded shuffle) in the trainer's format, with a manifest",
      )
      .requiredOption("--phase2 <file>", "the Phase-2 set")
      .requiredOption("--replay <files...>", "replay buffers (replay.jsonl of `replay er` / `replay gr`)")
      .option("--seed <s>", "shuffle seed", "0")
      .requiredOption(
        "--out <file>",
        "mixed training file (JSONL); the manifest goes to <out minus .jsonl>.manifest.json",
      )
      .option("--format <f>", "embedded | chat_template | alpaca | cftkit", "embedded")
      .option("--json", "print one JSON document on stdout")
      .option("--quiet", "no logs")
      .action(async (flags: MixFlags) => {
        const format = (flags.format ?? "embedded") as MixFormat;
        if (!["embedded", "chat_template", "alpaca", "cftkit"].includes(format)) {
          throw new CftkitError(
            "CLI_BAD_OPTION",
            `--format must be embedded, chat_template, alpaca or cftkit; got "${flags.format}"`,
          );
        }
        const manifest = await mixReplayFiles({
          phase2: flags.phase2,
          replay: flags.replay,
          seed: parseNumberOption("--seed", flags.seed, 0),
          out: flags.out,
          format,
        });
        if (flags.json) printJson(manifest);
        else {
          printHuman(
            flags,
            formatTable(
              ["mixed", "rows"],
              [
                ["phase 2", manifest.counts.byOrigin.phase2],
                ["replay", manifest.counts.byOrigin.replay],
                ["total", manifest.counts.total],
                ...Object.entries(manifest.counts.byLanguage).map(([k, v]) => [`language ${k}`, v]),
              ],
            ),
          );
        }
      });
  },
};
