import { abilityScores, type MeasuredScores, mergeMeasured } from "../ability-scores.js";
import type { RunContext } from "../run-context.js";
import { type ModelRef, type PairState, pairModels } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";
import { runLmEvalOn } from "./evaluate-lm-eval.js";
import { hasNativeTasks, measureNative, withEmbeddedEvalModel } from "./evaluate-native.js";
import { checkServedModelCount, withServedEvalModel } from "./evaluate-served.js";

/** The native tasks of one model: through its server with `generation.evaluate`, else the embedded model. */
function nativeUnit(
  ctx: RunContext,
  name: string,
  model: ModelRef,
  keep: (m: MeasuredScores) => void,
  modelCount: number,
) {
  const served = ctx.experiment.generation?.evaluate === true;
  return unit<MeasuredScores>({
    label: `evaluate-${name}`,
    // Served scores equal the embedded ones only to float tolerance: switching engines measures again.
    inputs: { model: model.key, eval: ctx.evaluation.key, ...(served ? { served: true } : {}) },
    run: async (dir) => {
      if (!served) return withEmbeddedEvalModel(ctx, model.dir, name, (m) => measureNative(ctx, m));
      checkServedModelCount(ctx, modelCount); // when it runs: a finished unit is reused on any machine
      return withServedEvalModel(ctx, model.dir, name, dir, (m) => measureNative(ctx, m));
    },
    keep: ({ result }) => keep(result),
  });
}

/** lm-evaluation-harness on one model (`evaluation.lm_eval`), its own unit so a failure keeps the rest. */
function lmEvalUnit(ctx: RunContext, name: string, model: ModelRef, keep: (m: MeasuredScores) => void) {
  const config = ctx.experiment.evaluation.lm_eval!;
  return unit<MeasuredScores>({
    label: `lm-eval-${name}`,
    inputs: { model: model.key, lm_eval: { ...config, executable: undefined } },
    run: (dir) => runLmEvalOn(ctx, config, model.dir, dir),
    keep: ({ result }) => keep(result),
  });
}

/** Every measurement of a model lands in one table: its scores are recomputed as each part arrives. */
function scoreKeeper(ctx: RunContext, pair: PairState, label: string) {
  const parts: MeasuredScores[] = [];
  return (measured: MeasuredScores) => {
    parts.push(measured);
    pair.scores[label] = abilityScores(mergeMeasured(parts), ctx.experiment.evaluation.english_languages);
  };
}

/**
 * Evaluation of every model (Phase 1 and each Phase-2 strategy): the native tasks (embedded, or served with
 * `generation.evaluate`) and lm-eval's (`evaluation.lm_eval`), merged per model; EA/MA/Overall from the one
 * aggregation.
 */
export const evaluateStep: PipelineStep = {
  name: "evaluate",
  summary: "score every model (native tasks, embedded or served; lm-eval); EA, MA and Overall per model",
  async units(ctx, state) {
    const units: StepUnit[] = [];
    const models = state.pairs.flatMap((pair) => pairModels(pair).map((m) => ({ pair, ...m })));
    for (const { pair, label, model } of models) {
      const name = `${pair.name}-${label}`;
      const keep = scoreKeeper(ctx, pair, label);
      if (hasNativeTasks(ctx) || !ctx.experiment.evaluation.lm_eval)
        units.push(nativeUnit(ctx, name, model, keep, models.length));
      if (ctx.experiment.evaluation.lm_eval) units.push(lmEvalUnit(ctx, name, model, keep));
    }
    return units;
  },
};
