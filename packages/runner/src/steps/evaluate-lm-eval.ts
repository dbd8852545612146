import { appendFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { LmEvalModel, LmEvalResults } from "@cftkit/evaluation";
import type { MeasuredScores } from "../ability-scores.js";
import type { LmEvalConfig } from "../lm-eval-schema.js";
import type { RunContext } from "../run-context.js";

/** What an lm-eval unit keeps: its scores as the runner's tasks, and how they were made. */
export interface LmEvalMeasured extends MeasuredScores {
  lm_eval: {
    /** The lm_eval command line that ran (no shell: one word per argument). */
    command: string[];
    /** The imported `results_*.json`, relative to the unit's folder. */
    results_file: string | null;
    /** Every metric of every counted task, as lm-eval reported it (0-1). */
    metrics: Record<string, Record<string, number>>;
  };
}

/** lm-eval's scores as runner tasks `lm_eval/<task>` with lm-eval's family and language (xquad_de → xquad, de). */
export async function lmEvalMeasured(
  results: LmEvalResults & { command: string[] },
  dir: string,
): Promise<LmEvalMeasured> {
  const { lmEvalScoredTasks } = await import("@cftkit/evaluation");
  const measured: LmEvalMeasured = {
    tasks: {},
    loss_by_language: {},
    groups: {},
    lm_eval: {
      command: results.command,
      results_file: results.path ? relative(dir, results.path) : null,
      metrics: {},
    },
  };
  for (const t of lmEvalScoredTasks(results)) {
    const name = `lm_eval/${t.task}`;
    measured.tasks[name] = t.score;
    measured.groups![name] = { family: t.family, language: t.language };
    measured.lm_eval.metrics[t.task] = t.metrics;
  }
  if (Object.keys(measured.tasks).length === 0)
    throw new CftkitError(
      "RUN_LM_EVAL_NO_SCORES",
      `${results.path}: lm-eval reported none of the tasks cftkit aggregates (ifeval, mmlu, hellaswag, xquad_*, mlqa_*, global_mmlu_*)`,
    );
  return measured;
}

/**
 * lm-evaluation-harness on one model: the model folder itself (`hf`), or its OpenAI-compatible server from
 * the experiment's `generation:` (`local-completions`, launched for this model and stopped afterwards).
 * lm-eval's output goes line by line to `<dir>/lm_eval.log`; its results land in `<dir>/lm-eval/`.
 */
export async function runLmEvalOn(
  ctx: RunContext,
  config: LmEvalConfig,
  modelDir: string,
  dir: string,
): Promise<LmEvalMeasured> {
  const { runLmEval } = await import("@cftkit/evaluation");
  const logPath = join(dir, "lm_eval.log");
  const run = (model: LmEvalModel) =>
    runLmEval({
      model,
      tasks: config.tasks,
      outputPath: join(dir, "lm-eval"),
      numFewshot: config.num_fewshot,
      batchSize: config.batch_size,
      limit: config.limit,
      applyChatTemplate: config.apply_chat_template,
      executable: config.executable,
      onLine: (line) => appendFileSync(logPath, `${line}\n`),
    });
  if (config.backend === "hf")
    return lmEvalMeasured(await run({ kind: "hf", dir: modelDir, dtype: config.dtype }), dir);
  const generation = ctx.experiment.generation;
  if (!generation)
    throw new CftkitError(
      "RUN_LM_EVAL_NEEDS_SERVER",
      "evaluation.lm_eval.backend local-completions needs a generation: section (launch, server or servers)",
    );
  const { withGenerationServers } = await import("@cftkit/replay");
  const results = await withGenerationServers(generation, modelDir, (session) =>
    run({
      kind: "local-completions",
      baseUrl: `${session.clients[0]!.baseUrl}/completions`,
      model: session.modelId,
      tokenizer: modelDir,
      numConcurrent: config.num_concurrent,
    }),
  );
  return lmEvalMeasured(results, dir);
}
