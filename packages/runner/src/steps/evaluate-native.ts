import type { EvalModel } from "@cftkit/evaluation";
import type { MeasuredScores } from "../ability-scores.js";
import type { RunContext } from "../run-context.js";

/** Whether the experiment has native tasks (held-out likelihoods, QA) to run. */
export function hasNativeTasks(ctx: RunContext): boolean {
  const { heldout, qa, xlsum, responses } = ctx.evaluation;
  return heldout.length > 0 || qa.length > 0 || xlsum.length > 0 || responses.length > 0;
}

/**
 * The native tasks on one model, embedded or served alike: held-out likelihood per set and language, greedy
 * QA F1 per language, XL-Sum ROUGE-L per language, and ROUGE-L of free answers per response set and language.
 */
export async function measureNative(ctx: RunContext, model: EvalModel): Promise<MeasuredScores> {
  const { heldoutLikelihood, qaGenerationTask, responseRougeTask, xlsumTask } = await import(
    "@cftkit/evaluation"
  );
  const measured: MeasuredScores = { tasks: {}, loss_by_language: {} };
  for (const set of ctx.evaluation.heldout) {
    const heldout = await heldoutLikelihood(model, set.examples, { progress: ctx.progress });
    for (const [lang, g] of Object.entries(heldout.byGroup ?? {})) {
      measured.loss_by_language[`${set.task}/${lang}`] = g.meanNll;
      measured.tasks[`heldout_likelihood/${set.task}/${lang}`] = Math.exp(-g.meanNll);
    }
  }
  const qa = ctx.evaluation.qa;
  for (const lang of [...new Set(qa.map((q) => q.language))].sort()) {
    const result = await qaGenerationTask(
      model,
      qa.filter((q) => q.language === lang),
      { language: lang, maxNewTokens: ctx.experiment.evaluation.qa_max_new_tokens },
    );
    measured.tasks[`xquad_f1/${lang}`] = result.f1 / 100;
  }
  for (const set of ctx.evaluation.xlsum) {
    const result = await xlsumTask(model, set.items, {
      language: set.language,
      maxNewTokens: ctx.experiment.evaluation.xlsum_max_new_tokens,
    });
    measured.tasks[`xlsum/${set.language}`] = result.score;
  }
  for (const set of ctx.evaluation.responses) {
    const result = await responseRougeTask(model, set.items, {
      set: set.task,
      language: set.language,
      maxNewTokens: ctx.experiment.evaluation.responses_max_new_tokens,
    });
    measured.tasks[`response_rougeL/${set.task}/${set.language}`] = result.score;
  }
  return measured;
}

/** The embedded model of `dir` as the evaluation's model, disposed afterwards. */
export async function withEmbeddedEvalModel<T>(
  ctx: RunContext,
  dir: string,
  id: string,
  use: (model: EvalModel) => Promise<T>,
): Promise<T> {
  const { CausalLM } = await import("@cftkit/lm");
  const { EmbeddedEvalModel } = await import("@cftkit/evaluation");
  const lm = await CausalLM.load(dir);
  try {
    return await use(new EmbeddedEvalModel(lm, id, ctx.experiment.evaluation.batch_size));
  } finally {
    lm.dispose();
  }
}
