import { join } from "node:path";
import { evalRunOptionsSchema, lmEvalRunOptionsSchema } from "@cftkit/evaluation/eval-run-options";
import { log, printResult, progress } from "../cli-output.js";
import { optionsFrom } from "../schema-options.js";
import { defineCommand, pathParam } from "../define-command.js";

const evalRun = defineCommand({
  path: ["eval", "run"],
  description: "run tasks against an embedded model folder or an OpenAI-compatible server; EA/MA summary",
  examples: [
    "cftkit eval run --model models/tiny --tasks xquad_en,ifeval --limit 20 --out eval/",
    "cftkit eval run --model http://127.0.0.1:8000/v1 --tasks xquad_de --out eval/",
  ],
  options: optionsFrom(evalRunOptionsSchema, {
    model: "dir|url",
    modelName: "name",
    out: "dir",
    dataDir: "dir",
    timeoutMs: "ms",
    apiKey: "key",
    judge: "url",
    judgeModel: "name",
    alpacaEvalAnnotator: "name",
  }),
  async run(options) {
    const { evaluateModel, describeTaskScores } = await import("@cftkit/evaluation");
    const report = await evaluateModel({ ...options, progress: progress(options) });
    if (report.resumed.length) log(options, `resumed finished tasks: ${report.resumed.join(", ")}`);
    if (options.out) log(options, `wrote ${join(options.out, "results.json")}`);
    printResult(options, report, () => describeTaskScores(report.tasks, report.abilities));
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
    const { describeLmEvalRun, importLmEvalScores } = await import("@cftkit/evaluation");
    const scores = await importLmEvalScores(options.results);
    printResult(options, scores, () => describeLmEvalRun(scores));
  },
});

const lmEval = defineCommand({
  path: ["eval", "lm-eval"],
  description:
    "run lm-evaluation-harness on a model folder (hf) or server (local-completions) and import its results",
  examples: ["cftkit eval lm-eval --model models/tiny --tasks ifeval --out lm-eval-out --dry-run"],
  options: optionsFrom(lmEvalRunOptionsSchema, {
    model: "dir|url",
    modelName: "name",
    out: "dir",
    dtype: "dtype",
  }),
  async run(options) {
    const { describeLmEvalRun, evaluateWithLmEval } = await import("@cftkit/evaluation");
    const report = await evaluateWithLmEval({
      ...options,
      onStart: (line) => log(options, `running ${line}`),
      onLine: (line) => log(options, line),
    });
    printResult(options, report, () => describeLmEvalRun(report));
  },
});

/** `cftkit eval run|import-lm-eval|lm-eval`: whole task suites, through cftkit or lm-evaluation-harness. */
export const evalRunCommands = [evalRun, importLmEval, lmEval];
