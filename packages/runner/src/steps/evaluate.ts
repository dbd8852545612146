import { abilityScores, type MeasuredScores } from "../ability-scores.js";
import type { RunContext } from "../run-context.js";
import { type ModelRef, pairModels } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";

/** Held-out likelihood per set and language, and greedy QA F1 per language, of one model. */
async function measure(ctx: RunContext, label: string, model: ModelRef): Promise<MeasuredScores> {
  const { CausalLM } = await import("@cftkit/lm");
  const { EmbeddedEvalModel, heldoutLikelihood, qaGenerationTask } = await import("@cftkit/evaluation");
  const config = ctx.experiment.evaluation;
  const lm = await CausalLM.load(model.dir);
  try {
    const evalModel = new EmbeddedEvalModel(lm, label, config.batch_size);
    const measured: MeasuredScores = { tasks: {}, loss_by_language: {} };
    for (const set of ctx.evaluation.heldout) {
      const heldout = await heldoutLikelihood(evalModel, set.examples, { progress: ctx.progress });
      for (const [lang, g] of Object.entries(heldout.byGroup ?? {})) {
        measured.loss_by_language[`${set.task}/${lang}`] = g.meanNll;
        measured.tasks[`heldout_likelihood/${set.task}/${lang}`] = Math.exp(-g.meanNll);
      }
    }
    const qa = ctx.evaluation.qa;
    for (const lang of [...new Set(qa.map((q) => q.language))].sort()) {
      const items = qa.filter((q) => q.language === lang);
      const result = await qaGenerationTask(evalModel, items, {
        language: lang,
        maxNewTokens: config.qa_max_new_tokens,
      });
      measured.tasks[`xquad_f1/${lang}`] = result.f1 / 100;
    }
    return measured;
  } finally {
    lm.dispose();
  }
}

/** Evaluation of every model (Phase 1 and each Phase-2 strategy); EA/MA/Overall from the one aggregation. */
export const evaluateStep: PipelineStep = {
  name: "evaluate",
  summary: "score every model on the held-out sets and QA; EA, MA and Overall per model",
  async units(ctx, state) {
    const units: StepUnit[] = [];
    for (const pair of state.pairs) {
      for (const { label, model } of pairModels(pair)) {
        const name = `${pair.name}-${label}`;
        units.push(
          unit<MeasuredScores>({
            label: `evaluate-${name}`,
            inputs: { model: model.key, eval: ctx.evaluation.key },
            run: () => measure(ctx, name, model),
            keep: ({ result }) => {
              pair.scores[label] = abilityScores(result, ctx.experiment.evaluation.english_languages);
            },
          }),
        );
      }
    }
    return units;
  },
};
