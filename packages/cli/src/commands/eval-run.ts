import { shellCommand } from "@cftkit/core";
import type { AlpacaEvalAnnotator } from "@cftkit/evaluation";
import { z } from "zod";
import { formatTable, log, printHuman, printJson, progress } from "../cli-output.js";
import {
  defineCommand,
  flag,
  list,
  param,
  positive,
  text,
  pathParam,
  optionalPath,
} from "../define-command.js";

// Listed here (not imported) because @cftkit/evaluation is loaded lazily.
const ALPACA_EVAL_ANNOTATORS = [
  "alpaca_eval_gpt4",
  "cftkit_pairwise",
] as const satisfies readonly AlpacaEvalAnnotator[];

interface TaskScore {
  task: string;
  ability: string;
  metric: string;
  score: number;
  count?: number;
}

/** Per-task scores (0-100), with item counts when known, then the EA/MA/Overall line. */
function scoreTable(
  tasks: TaskScore[],
  abilities: { ea: number | null; ma: number | null; overall: number | null },
): string {
  const pct = (v: number | null) => (v === null ? "–" : (v * 100).toFixed(2));
  const counted = tasks.some((t) => t.count !== undefined);
  const header = ["task", "ability", "metric", "score", ...(counted ? ["items"] : [])];
  const rows = tasks.map((t) => [
    t.task,
    t.ability,
    t.metric,
    pct(t.score),
    ...(counted ? [t.count ?? ""] : []),
  ]);
  return `${formatTable(header, rows)}\n\nEA ${pct(abilities.ea)}  MA ${pct(abilities.ma)}  Overall ${pct(abilities.overall)}`;
}

const modelOption = (what: string) => param("--model <dir|url>", what, text(), { path: "model" });
const limitOption = (what: string) => param("--limit <n>", what, positive().optional());

const evalRun = defineCommand({
  path: ["eval", "run"],
  description: "run tasks against an embedded model folder or an OpenAI-compatible server; EA/MA summary",
  examples: [
    "cftkit eval run --model models/tiny --tasks xquad_en,ifeval --limit 20 --out eval/",
    "cftkit eval run --model http://127.0.0.1:8000/v1 --tasks xquad_de --out eval/",
  ],
  options: {
    model: modelOption("HF model folder (embedded) or server URL (e.g. http://127.0.0.1:8000/v1)"),
    modelName: param(
      "--model-name <name>",
      "server: the model field (default: first of GET /models); results name",
      text().optional(),
    ),
    tasks: param(
      "--tasks <list>",
      "comma list: ifeval[:FILE], xquad_<lang>[:FILE], mlqa_<c>_<q>:FILE, mmlu:FILE, global_mmlu_<lang>:FILE, hellaswag:FILE, xlsum_<lang>:FILE, alpaca_eval:FILE, heldout:FILE",
      list(text()),
    ),
    limit: limitOption("first N items of each task"),
    out: optionalPath(
      "--out <dir>",
      "write tasks/<task>.json, predictions/<task>.jsonl, results.json, responses.jsonl (resumable)",
      "output-folder",
    ),
    dataDir: param(
      "--data-dir <dir>",
      "where default task files live (data/xquad, data/ifeval)",
      text().default("data"),
      { path: "input" },
    ),
    concurrency: param("--concurrency <n>", "server requests in flight", positive().default(4)),
    timeoutMs: param("--timeout-ms <ms>", "per-request timeout", positive().default(120_000)),
    apiKey: param("--api-key <key>", "server API key (default: $OPENAI_API_KEY)", text().optional()),
    judge: param(
      "--judge <url>",
      "judge model server for alpaca_eval (OpenAI-compatible)",
      text().optional(),
    ),
    judgeModel: param(
      "--judge-model <name>",
      "judge model name (default: first of GET /models)",
      text().optional(),
    ),
    alpacaEvalAnnotator: param(
      "--alpaca-eval-annotator <name>",
      "alpaca_eval_gpt4: alpaca_eval's GPT-4 annotator protocol (ranking prompt, random order, win rate against the reference outputs); cftkit_pairwise: cftkit's A/B judge asked in both orders",
      z.enum(ALPACA_EVAL_ANNOTATORS).default("alpaca_eval_gpt4"),
    ),
  },
  async run(options) {
    const { join } = await import("node:path");
    const evaluation = await import("@cftkit/evaluation");
    const { limit, concurrency, timeoutMs } = options;
    const tasks = options.tasks.map((t) => evaluation.parseTaskSpec(t, { dataDir: options.dataDir, limit }));
    const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
    const { model, dispose } = await evaluation.openEvalModel({
      model: options.model,
      modelName: options.modelName,
      apiKey,
      concurrency,
      timeoutMs,
      cache: options.out ? join(options.out, "responses.jsonl") : undefined,
    });
    let judge: import("@cftkit/evaluation").EvalModel | undefined;
    if (options.judge) {
      const baseUrl = evaluation.apiBase(options.judge);
      judge = new evaluation.OpenAIEvalModel({
        baseUrl,
        model: options.judgeModel ?? (await evaluation.serverModelName(baseUrl, apiKey)),
        apiKey,
        concurrency,
        timeoutMs,
        cache: options.out ? join(options.out, "judge-responses.jsonl") : undefined,
      });
    }
    try {
      const report = await evaluation.runEvaluation({
        model,
        tasks,
        out: options.out,
        judge,
        alpacaEvalAnnotator: options.alpacaEvalAnnotator,
        progress: progress(options),
      });
      if (report.resumed.length) log(options, `resumed finished tasks: ${report.resumed.join(", ")}`);
      if (options.out) log(options, `wrote ${join(options.out, "results.json")}`);
      if (options.json) printJson(report);
      else printHuman(options, scoreTable(report.tasks, report.abilities));
    } finally {
      dispose();
    }
  },
});

const importLmEval = defineCommand({
  path: ["eval", "import-lm-eval"],
  description: "read an lm-evaluation-harness results_*.json into cftkit task scores (0-1) and EA/MA",
  examples: ["cftkit eval import-lm-eval lm-eval-out/model/results_2024-01-01T00-00-00.json"],
  args: {
    results: pathParam(
      "<results.json>",
      "lm-eval results file (<output_path>/<model>/results_<date>.json)",
      "input",
    ),
  },
  async run(options) {
    const { importLmEvalResults, lmEvalScoredTasks, summarizeAbilities } = await import("@cftkit/evaluation");
    const results = await importLmEvalResults(options.results);
    const abilities = summarizeAbilities(lmEvalScoredTasks(results));
    if (options.json) printJson({ ...results, abilities });
    else printHuman(options, scoreTable(results.tasks, abilities));
  },
});

const lmEval = defineCommand({
  path: ["eval", "lm-eval"],
  description:
    "run lm-evaluation-harness on a model folder (hf) or server (local-completions) and import its results",
  examples: ["cftkit eval lm-eval --model models/tiny --tasks ifeval --out lm-eval-out --dry-run"],
  options: {
    model: modelOption("HF model folder, or server URL (its /v1/completions must return echo logprobs)"),
    modelName: param(
      "--model-name <name>",
      "server: model id (also the tokenizer lm-eval loads; default: first of GET /models)",
      text().optional(),
    ),
    tasks: param(
      "--tasks <list>",
      "lm-eval task names: ifeval,mmlu,hellaswag,xquad_<lang>,mlqa_<c>_<q>,global_mmlu_<lang>",
      list(text()),
    ),
    out: pathParam("--out <dir>", "lm-eval --output_path", "output-folder"),
    limit: limitOption("lm-eval --limit"),
    dtype: param("--dtype <dtype>", "hf backend dtype", text().default("bfloat16")),
    logSamples: param("--log-samples", "lm-eval --log_samples", flag()),
    applyChatTemplate: param("--apply-chat-template", "lm-eval --apply_chat_template", flag()),
    dryRun: param("--dry-run", "print the command and exit", flag()),
  },
  async run(options) {
    const evaluation = await import("@cftkit/evaluation");
    const { tasks } = options;
    const model = await evaluation.lmEvalModelFor(options.model, {
      modelName: options.modelName,
      dtype: options.dtype,
      apiKey: process.env.OPENAI_API_KEY,
    });
    const lmOptions = {
      model,
      tasks,
      outputPath: options.out,
      limit: options.limit,
      logSamples: options.logSamples,
      applyChatTemplate: options.applyChatTemplate,
    };
    const { command, args } = evaluation.buildLmEvalCommand(lmOptions);
    if (options.dryRun) {
      if (options.json) printJson({ command: [command, ...args] });
      else printHuman(options, shellCommand([command, ...args]));
      return;
    }
    log(options, `running ${shellCommand([command, ...args])}`);
    const results = await evaluation.runLmEval({ ...lmOptions, onLine: (line) => log(options, line) });
    const abilities = evaluation.summarizeAbilities(evaluation.lmEvalScoredTasks(results));
    if (options.json) printJson({ ...results, abilities });
    else printHuman(options, scoreTable(results.tasks, abilities));
  },
});

/** `cftkit eval run|import-lm-eval|lm-eval`: whole task suites, through cftkit or lm-evaluation-harness. */
export const evalRunCommands = [evalRun, importLmEval, lmEval];
