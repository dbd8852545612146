import { CftkitError } from "@cftkit/core";
import type { AlpacaEvalAnnotator } from "@cftkit/evaluation";
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

/** Adds a `cftkit eval <name>` subcommand (same shape as eval.ts's EvalSubcommand). */
type Subcommand = (evalCommand: Command) => void;

interface EvalRunOptions extends CommonOptions {
  model: string;
  modelName?: string;
  tasks: string;
  limit?: string;
  out?: string;
  dataDir: string;
  concurrency?: string;
  timeoutMs?: string;
  apiKey?: string;
  judge?: string;
  judgeModel?: string;
  alpacaEvalAnnotator?: string;
}

// Listed here (not imported) because @cftkit/evaluation is loaded lazily.
const ALPACA_EVAL_ANNOTATORS = [
  "alpaca_eval_gpt4",
  "cftkit_pairwise",
] as const satisfies readonly AlpacaEvalAnnotator[];

function alpacaEvalAnnotator(name: string | undefined): AlpacaEvalAnnotator {
  const annotator = name ?? "alpaca_eval_gpt4";
  if (!(ALPACA_EVAL_ANNOTATORS as readonly string[]).includes(annotator)) {
    throw new CftkitError(
      "CLI_BAD_OPTION",
      `--alpaca-eval-annotator must be ${ALPACA_EVAL_ANNOTATORS.join(" or ")}; got "${name}"`,
    );
  }
  return annotator as AlpacaEvalAnnotator;
}

/** `http://host:8000` → `http://host:8000/v1`; URLs with a path are kept. */
function apiBase(url: string): string {
  const u = new URL(url);
  if (u.pathname === "/" || u.pathname === "") u.pathname = "/v1";
  return u.toString().replace(/\/+$/, "");
}

async function serverModelName(baseUrl: string, apiKey: string | undefined): Promise<string> {
  const { OpenAICompatibleClient } = await import("@cftkit/core");
  const ids = await new OpenAICompatibleClient({ baseUrl, model: "?", apiKey, maxRetries: 2 }).models();
  if (ids.length === 0)
    throw new CftkitError("EVAL_NO_MODEL_NAME", `${baseUrl}/models lists no model: pass --model-name`);
  return ids[0]!;
}

export const evalRunSubcommand: Subcommand = (evalCommand) => {
  evalCommand
    .command("run")
    .description("run tasks against an embedded model folder or an OpenAI-compatible server; EA/MA summary")
    .requiredOption(
      "--model <dir|url>",
      "HF model folder (embedded) or server URL (e.g. http://127.0.0.1:8000/v1)",
    )
    .option("--model-name <name>", "server: the model field (default: first of GET /models); results name")
    .requiredOption(
      "--tasks <list>",
      "comma list: ifeval[:FILE], xquad_<lang>[:FILE], mlqa_<c>_<q>:FILE, mmlu:FILE, global_mmlu_<lang>:FILE, hellaswag:FILE, xlsum_<lang>:FILE, alpaca_eval:FILE, heldout:FILE",
    )
    .option("--limit <n>", "first N items of each task")
    .option(
      "--out <dir>",
      "write tasks/<task>.json, predictions/<task>.jsonl, results.json, responses.jsonl (resumable)",
    )
    .option("--data-dir <dir>", "where default task files live (data/xquad, data/ifeval)", "data")
    .option("--concurrency <n>", "server requests in flight", "4")
    .option("--timeout-ms <ms>", "per-request timeout", "120000")
    .option("--api-key <key>", "server API key (default: $OPENAI_API_KEY)")
    .option("--judge <url>", "judge model server for alpaca_eval (OpenAI-compatible)")
    .option("--judge-model <name>", "judge model name (default: first of GET /models)")
    .option(
      "--alpaca-eval-annotator <name>",
      "alpaca_eval_gpt4: alpaca_eval's GPT-4 annotator protocol (ranking prompt, random order, win rate vs the reference outputs); cftkit_pairwise: cftkit's A/B judge asked in both orders",
      "alpaca_eval_gpt4",
    )
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (options: EvalRunOptions) => {
      const { join } = await import("node:path");
      const evaluation = await import("@cftkit/evaluation");
      const limit = options.limit === undefined ? undefined : parseNumberOption("--limit", options.limit);
      const tasks = options.tasks
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => evaluation.parseTaskSpec(t, { dataDir: options.dataDir, limit }));
      if (tasks.length === 0) throw new CftkitError("EVAL_NO_TASKS", "--tasks lists no task");
      const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
      const concurrency = parseNumberOption("--concurrency", options.concurrency, 4);
      const timeoutMs = parseNumberOption("--timeout-ms", options.timeoutMs, 120_000);
      let model: import("@cftkit/evaluation").EvalModel;
      let dispose = () => {};
      if (/^https?:\/\//.test(options.model)) {
        const baseUrl = apiBase(options.model);
        const name = options.modelName ?? (await serverModelName(baseUrl, apiKey));
        model = new evaluation.OpenAIEvalModel({
          baseUrl,
          model: name,
          apiKey,
          concurrency,
          timeoutMs,
          cache: options.out ? join(options.out, "responses.jsonl") : undefined,
        });
      } else {
        const { CausalLM } = await import("@cftkit/lm");
        const lm = await CausalLM.load(options.model);
        model = new evaluation.EmbeddedEvalModel(lm, options.modelName ?? options.model);
        dispose = () => lm.dispose();
      }
      let judge: import("@cftkit/evaluation").EvalModel | undefined;
      if (options.judge) {
        const baseUrl = apiBase(options.judge);
        judge = new evaluation.OpenAIEvalModel({
          baseUrl,
          model: options.judgeModel ?? (await serverModelName(baseUrl, apiKey)),
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
          alpacaEvalAnnotator: alpacaEvalAnnotator(options.alpacaEvalAnnotator),
          progress: progress(options),
        });
        if (report.resumed.length) log(options, `resumed finished tasks: ${report.resumed.join(", ")}`);
        if (options.out) log(options, `wrote ${join(options.out, "results.json")}`);
        if (options.json) printJson(report);
        else {
          const fmt = (v: number | null) => (v === null ? "–" : (v * 100).toFixed(2));
          printHuman(
            options,
            `${formatTable(
              ["task", "ability", "metric", "score", "items"],
              report.tasks.map((t) => [t.task, t.ability, t.metric, (t.score * 100).toFixed(2), t.count]),
            )}\n\nEA ${fmt(report.abilities.ea)}  MA ${fmt(report.abilities.ma)}`,
          );
        }
      } finally {
        dispose();
      }
    });
};

interface ImportOptions extends CommonOptions {}

export const importLmEvalSubcommand: Subcommand = (evalCommand) => {
  evalCommand
    .command("import-lm-eval")
    .description("read an lm-evaluation-harness results_*.json into cftkit task scores (0-1) and EA/MA")
    .argument("<results.json>", "lm-eval results file (<output_path>/<model>/results_<date>.json)")
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (path: string, options: ImportOptions) => {
      const { importLmEvalResults, lmEvalScoredTasks, summarizeAbilities } = await import(
        "@cftkit/evaluation"
      );
      const results = await importLmEvalResults(path);
      const abilities = summarizeAbilities(lmEvalScoredTasks(results));
      if (options.json) printJson({ ...results, abilities });
      else {
        const fmt = (v: number | null) => (v === null ? "–" : (v * 100).toFixed(2));
        printHuman(
          options,
          `${formatTable(
            ["task", "ability", "metric", "score"],
            results.tasks.map((t) => [t.task, t.ability, t.metric, (t.score * 100).toFixed(2)]),
          )}\n\nEA ${fmt(abilities.ea)}  MA ${fmt(abilities.ma)}`,
        );
      }
    });
};

interface LmEvalCliOptions extends CommonOptions {
  model: string;
  modelName?: string;
  tasks: string;
  out: string;
  limit?: string;
  dtype: string;
  logSamples?: boolean;
  applyChatTemplate?: boolean;
  dryRun?: boolean;
}

export const lmEvalSubcommand: Subcommand = (evalCommand) => {
  evalCommand
    .command("lm-eval")
    .description(
      "run lm-evaluation-harness on a model folder (hf) or server (local-completions) and import its results",
    )
    .requiredOption(
      "--model <dir|url>",
      "HF model folder, or server URL (its /v1/completions must return echo logprobs)",
    )
    .option(
      "--model-name <name>",
      "server: model id (also the tokenizer lm-eval loads; default: first of GET /models)",
    )
    .requiredOption(
      "--tasks <list>",
      "lm-eval task names: ifeval,mmlu,hellaswag,xquad_<lang>,mlqa_<c>_<q>,global_mmlu_<lang>",
    )
    .requiredOption("--out <dir>", "lm-eval --output_path")
    .option("--limit <n>", "lm-eval --limit")
    .option("--dtype <dtype>", "hf backend dtype", "bfloat16")
    .option("--log-samples", "lm-eval --log_samples")
    .option("--apply-chat-template", "lm-eval --apply_chat_template")
    .option("--dry-run", "print the command and exit")
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (options: LmEvalCliOptions) => {
      const evaluation = await import("@cftkit/evaluation");
      const tasks = options.tasks
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean);
      let model: import("@cftkit/evaluation").LmEvalModel;
      if (/^https?:\/\//.test(options.model)) {
        const baseUrl = apiBase(options.model);
        const name = options.modelName ?? (await serverModelName(baseUrl, process.env.OPENAI_API_KEY));
        model = { kind: "local-completions", baseUrl: `${baseUrl}/completions`, model: name };
      } else model = { kind: "hf", dir: options.model, dtype: options.dtype };
      const lmOptions = {
        model,
        tasks,
        outputPath: options.out,
        limit: options.limit === undefined ? undefined : parseNumberOption("--limit", options.limit),
        logSamples: options.logSamples,
        applyChatTemplate: options.applyChatTemplate,
      };
      const { command, args } = evaluation.buildLmEvalCommand(lmOptions);
      if (options.dryRun) {
        if (options.json) printJson({ command: [command, ...args] });
        else
          printHuman(
            options,
            [command, ...args].map((a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a}'` : a)).join(" "),
          );
        return;
      }
      log(options, `running ${command} ${args.join(" ")}`);
      const results = await evaluation.runLmEval({ ...lmOptions, onLine: (line) => log(options, line) });
      const abilities = evaluation.summarizeAbilities(evaluation.lmEvalScoredTasks(results));
      if (options.json) printJson({ ...results, abilities });
      else {
        const fmt = (v: number | null) => (v === null ? "–" : (v * 100).toFixed(2));
        printHuman(
          options,
          `${formatTable(
            ["task", "ability", "metric", "score"],
            results.tasks.map((t) => [t.task, t.ability, t.metric, (t.score * 100).toFixed(2)]),
          )}\n\nEA ${fmt(abilities.ea)}  MA ${fmt(abilities.ma)}`,
        );
      }
    });
};
