import { CftkitError, OpenAICompatibleClient } from "@cftkit/core";
import {
  embeddedGenerator,
  type GenerativeModel,
  type GenerativeReplaySummary,
  LOCAL_CHAT_TEMPLATES,
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
  runGenerativeReplayFiles,
  type SamplingSettings,
} from "@cftkit/replay";
import { join } from "node:path";
import { z } from "zod";
import { formatTable, log, printHuman, printJson, progress } from "../cli-output.js";
import {
  type CommonOptions,
  count,
  defineCommand,
  flag,
  number,
  param,
  text,
  type Values,
} from "../define-command.js";
import { formatOption, type OutputFormat } from "../output-format.js";

/** Which English items a replay buffer holds: shared by `replay er` and `replay gr`. */
const selectionParams = {
  english: param(
    "--english <file>",
    "the English counterpart: twins sharing parallel_id with the Phase-2 set, or the counterpart dataset (Alpaca for MultiAlpaca)",
    text(),
    {
      path: "input",
    },
  ),
  phase2: param(
    "--phase2 <file>",
    "the Phase-2 (multilingual) set; --ratio is a fraction of its size (without it, only --count is accepted)",
    text().optional(),
    {
      path: "input",
    },
  ),
  exclude: param(
    "--exclude <files...>",
    "evaluation sets whose items are never replayed (by id, parallel_id, instruction)",
    z.array(text()).optional(),
    {
      path: "input",
    },
  ),
  ratio: param(
    "--ratio <r>",
    "replay size as a fraction of the Phase-2 size (0.10 = 10%)",
    number(z.number().gt(0)).optional(),
  ),
  count: param(
    "--count <n>",
    "replay size as a count",
    count(
      z
        .number()
        .int()
        .min(1)
        .max(2 ** 32 - 1),
    ).optional(),
  ),
  seed: param("--seed <s>", "sampling seed", count().default(0)),
  mode: param(
    "--mode <m>",
    "twins: replay the English twins (shared parallel_id) of Phase-2 records; counterpart: sample the English counterpart dataset (no shared ids, e.g. MultiAlpaca ↔ Alpaca); auto: twins when any exist",
    z.enum(REPLAY_MODES).default("auto"),
  ),
  out: param("--out <dir>", "output folder (replay.jsonl, manifest.json)", text(), {
    path: "output-folder",
    writes: (dir) => [join(dir, "replay.jsonl"), join(dir, "manifest.json")],
  }),
};
type SelectionFlags = Values<typeof selectionParams> & CommonOptions;

const positive = () => count(z.number().int().min(1));

/** Where `replay gr` gets its responses from, and how it filters them. */
const generatorParams = {
  server: param(
    "--server <url>",
    "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1",
    text().optional(),
  ),
  model: param("--model <name>", "model name on the server", text().optional()),
  apiKey: param("--api-key <key>", "API key (default: $OPENAI_API_KEY)", text().optional()),
  completions: param(
    "--completions",
    "use /v1/completions with a local chat template instead of /v1/chat/completions",
    flag(),
  ),
  template: param(
    "--template <name>",
    "local chat template for --completions",
    z.enum(Object.keys(LOCAL_CHAT_TEMPLATES) as [string, ...string[]]).default("chatml"),
  ),
  modelDir: param(
    "--model-dir <dir>",
    "generate with the embedded model (@cftkit/lm) from this HF folder",
    text().optional(),
    { path: "model" },
  ),
  initTiny: param(
    "--init-tiny <seed>",
    "generate with a fresh random tiny embedded model (pipeline checks only)",
    count().optional(),
  ),
  maxTokens: param("--max-tokens <n>", "most new tokens per response", positive().default(512)),
  temperature: param("--temperature <t>", "0 = greedy", number(z.number().min(0)).default(0)),
  topP: param("--top-p <p>", "nucleus sampling", number(z.number().gt(0).max(1)).default(1)),
  concurrency: param("--concurrency <n>", "requests in flight", positive().default(8)),
  timeoutMs: param("--timeout-ms <ms>", "per-request timeout", positive().default(120_000)),
  maxRetries: param(
    "--max-retries <n>",
    "retries per request (5xx, 429, resets, timeouts)",
    count().default(6),
  ),
  backoffMs: param("--backoff-ms <ms>", "first backoff", count().default(500)),
  backoffMaxMs: param("--backoff-max-ms <ms>", "longest backoff", count().default(30_000)),
  requestBudget: param(
    "--request-budget <n>",
    "stop after this many HTTP requests in total",
    positive().optional(),
  ),
  batchSize: param("--batch-size <n>", "embedded model: prompts per generate call", positive().default(4)),
  fsyncEvery: param("--fsync-every <n>", "fsync the output after this many records", positive().default(32)),
  language: param("--language <code>", "expected response language, or none", text().default("en")),
  filterEmpty: param("--no-filter-empty", "keep empty responses", z.boolean().default(true)),
  filterTruncated: param(
    "--no-filter-truncated",
    "keep responses cut at --max-tokens",
    z.boolean().default(true),
  ),
  filterRefusal: param("--no-filter-refusal", "keep refusals", z.boolean().default(true)),
  minChars: param("--min-chars <n>", "reject responses shorter than this", count().default(0)),
};
type GrFlags = SelectionFlags & Values<typeof generatorParams>;

/** The replay package's name for each output layout. */
const MIX_FORMAT: Record<OutputFormat, MixFormat> = {
  embedded: "embedded",
  "axolotl-chat": "chat_template",
  "axolotl-alpaca": "alpaca",
  cftkit: "cftkit",
};

function selectionArgs(flags: SelectionFlags) {
  if ((flags.ratio === undefined) === (flags.count === undefined)) {
    throw new CftkitError("CLI_BAD_OPTION", "give exactly one of --ratio or --count");
  }
  const { phase2, english, exclude, ratio, count, seed, mode } = flags;
  return { phase2, english, exclude: exclude ?? [], ratio, count, seed, mode, outDir: flags.out };
}

/** Say on stderr which mode chose the items and how many, and warn loudly about a shortfall. */
function reportSelection(flags: CommonOptions, selection: EnglishReplayManifest["selection"]): void {
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

/** GR ended with fewer records than its target after trying every candidate: loud, or an error when none. */
function reportGrShortfall(flags: CommonOptions, manifest: GenerativeReplayManifest): void {
  if (manifest.status !== "short" || !manifest.output) return;
  const o = manifest.output;
  const why = `the quality filters rejected ${o.tried - o.accepted} of the ${o.tried} candidates generated for (see ${o.rejectsFile}; --no-filter-* and --language none relax them)`;
  if (o.accepted === 0) {
    throw new CftkitError("REPLAY_NOTHING_ACCEPTED", `no replay record was kept: ${why}`);
  }
  log(flags, `WARNING: replay is SHORT by ${o.shortfall} of ${o.target}: ${why}`);
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
  const seed = flags.initTiny ?? 0;
  return { model: await lm.CausalLM.init({ preset: "tiny", seed }), name: `init:tiny:seed=${seed}` };
}

async function buildGenerator(flags: GrFlags): Promise<ReplayGenerator> {
  const { maxTokens, temperature, topP, seed } = flags;
  const sampling: SamplingSettings = { maxTokens, temperature, topP, seed };
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
      concurrency: flags.concurrency,
      timeoutMs: flags.timeoutMs,
      maxRetries: flags.maxRetries,
      backoff: { baseMs: flags.backoffMs, maxMs: flags.backoffMaxMs, jitter: 0.5 },
      requestBudget: flags.requestBudget,
    });
    if (flags.completions) return openAICompletionGenerator(client, flags.template, sampling);
    return openAIChatGenerator(client, sampling);
  }
  const { model, name } = await loadEmbeddedModel(flags);
  return embeddedGenerator(model, {
    ...sampling,
    modelName: name,
    batchSize: flags.batchSize,
  });
}

function filtersOf(flags: GrFlags): QualityFilterOptions {
  return {
    empty: flags.filterEmpty,
    truncated: flags.filterTruncated,
    refusal: flags.filterRefusal,
    language: flags.language === "none" ? null : flags.language,
    minChars: flags.minChars,
  };
}

function grHuman(summary: GenerativeReplaySummary): string {
  const rows: (string | number)[][] = [
    ["requested", summary.requested],
    ["accepted", summary.accepted],
    ...Object.entries(summary.rejected.byReason).map(([k, v]) => [`rejected: ${k}`, v]),
    ["failed (items)", summary.failed.total],
    ["failed generations (this run)", summary.failed.attempts],
    ["pending", summary.pending],
    ["resumed (already done)", summary.resumed.accepted + summary.resumed.rejected],
    ["this run: items/s", summary.thisRun.itemsPerSecond.toFixed(2)],
  ];
  return `${formatTable(["generative replay", "count"], rows)}\n${summary.out}`;
}

const er = defineCommand({
  path: ["replay", "er"],
  description: "English replay: English counterparts with their original responses",
  examples: [
    "cftkit replay er --phase2 phase2.jsonl --english english.jsonl --ratio 0.1 --out replay/er",
    "cftkit replay er --phase2 multialpaca.jsonl --english alpaca_data.json --ratio 0.1 --out replay/er   # no shared ids: samples Alpaca (mode counterpart)",
  ],
  options: selectionParams,
  async run(flags) {
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
  },
});

const gr = defineCommand({
  path: ["replay", "gr"],
  description:
    "Generative replay: responses to the English counterpart instructions from the Phase-1 model (resumable)",
  examples: [
    "cftkit replay gr --phase2 phase2.jsonl --english english.jsonl --ratio 0.05 --server http://127.0.0.1:8000/v1 --model phase1 --out replay/gr",
  ],
  options: { ...selectionParams, ...generatorParams },
  async run(flags) {
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
        fsyncEvery: flags.fsyncEvery,
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
  },
});

const mix = defineCommand({
  path: ["replay", "mix"],
  description:
    "Merge replay buffers into the Phase-2 set (seeded shuffle) in the trainer's format, with a manifest",
  examples: ["cftkit replay mix --phase2 phase2.jsonl --replay replay/er/replay.jsonl --out mix/train.jsonl"],
  options: {
    phase2: param("--phase2 <file>", "the Phase-2 set", text(), { path: "input" }),
    replay: param(
      "--replay <files...>",
      "replay buffers (replay.jsonl of `replay er` / `replay gr`)",
      z.array(text()).min(1),
      {
        path: "input",
      },
    ),
    seed: param("--seed <s>", "shuffle seed", count().default(0)),
    out: param(
      "--out <file>",
      "mixed training file (JSONL); the manifest goes to <out minus .jsonl>.manifest.json",
      text(),
      {
        path: "output-file",
        writes: (out) => [`${out.replace(/\.jsonl$/, "")}.manifest.json`],
      },
    ),
    format: formatOption("--format <format>", "embedded"),
  },
  async run(flags) {
    const manifest = await mixReplayFiles({
      phase2: flags.phase2,
      replay: flags.replay,
      seed: flags.seed,
      out: flags.out,
      format: MIX_FORMAT[flags.format],
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
  },
});

export const replayCommands = [er, gr, mix];
