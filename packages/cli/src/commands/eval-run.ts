import { shellCommand } from "@cftkit/core";
import { join } from "node:path";
import { evalRunOptionsSchema } from "@cftkit/evaluation/eval-run-options";
import { formatTable, log, printHuman, printJson, printResult, progress } from "../cli-output.js";
import { optionsFrom } from "../schema-options.js";
import { defineCommand, flag, list, param, positive, text, pathParam } from "../define-command.js";

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
  options: optionsFrom(evalRunOptionsSchema, {
    model: { metavar: "dir|url", path: "model" },
    modelName: "name",
    out: { metavar: "dir", path: "output-folder" },
    dataDir: { metavar: "dir", path: "input" },
    timeoutMs: "ms",
    apiKey: "key",
    judge: "url",
    judgeModel: "name",
    alpacaEvalAnnotator: "name",
  }),
  async run(options) {
    const { evaluateModel } = await import("@cftkit/evaluation");
    const report = await evaluateModel({ ...options, progress: progress(options) });
    if (report.resumed.length) log(options, `resumed finished tasks: ${report.resumed.join(", ")}`);
    if (options.out) log(options, `wrote ${join(options.out, "results.json")}`);
    printResult(options, report, () => scoreTable(report.tasks, report.abilities));
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
