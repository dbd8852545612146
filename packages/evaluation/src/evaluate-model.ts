import { join } from "node:path";
import { checkOptions, type ProgressReporter } from "@cftkit/core";
import { apiBase, openEvalModel, serverModelName } from "./eval-model-for.js";
import { type EvalRunOptions, evalRunOptionsSchema } from "./eval-run-options.js";
import { OpenAIEvalModel } from "./tasks/openai-eval-model.js";
import { type EvaluationReport, parseTaskSpec, runEvaluation } from "./tasks/run-evaluation.js";

/**
 * One evaluation run from its options (`cftkit eval run`): parses the task list, opens the model (a folder,
 * or a server with its responses cached in `<out>/responses.jsonl`) and the alpaca_eval judge (cached in
 * `<out>/judge-responses.jsonl`), runs the tasks through `runEvaluation` and lets the model go. The API key
 * defaults to $OPENAI_API_KEY.
 */
export async function evaluateModel(
  options: EvalRunOptions & { progress?: ProgressReporter },
): Promise<EvaluationReport> {
  const o = checkOptions(evalRunOptionsSchema, options, "EVAL_BAD_OPTION");
  const tasks = o.tasks.map((t) => parseTaskSpec(t, { dataDir: o.dataDir, limit: o.limit }));
  const apiKey = o.apiKey ?? process.env.OPENAI_API_KEY;
  const { concurrency, timeoutMs } = o;
  const cache = (file: string) => (o.out ? join(o.out, file) : undefined);
  const { model, dispose } = await openEvalModel({
    model: o.model,
    modelName: o.modelName,
    apiKey,
    concurrency,
    timeoutMs,
    cache: cache("responses.jsonl"),
  });
  try {
    const baseUrl = o.judge ? apiBase(o.judge) : undefined;
    const judge = baseUrl
      ? new OpenAIEvalModel({
          baseUrl,
          model: o.judgeModel ?? (await serverModelName(baseUrl, apiKey)),
          apiKey,
          concurrency,
          timeoutMs,
          cache: cache("judge-responses.jsonl"),
        })
      : undefined;
    const { out, alpacaEvalAnnotator } = o;
    return await runEvaluation({ model, tasks, out, judge, alpacaEvalAnnotator, progress: options.progress });
  } finally {
    dispose();
  }
}
