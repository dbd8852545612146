import { compilePhase2, type ExperimentStrategy } from "@cftkit/trainer";
import { compileOptions } from "../prepare-run.js";
import { fileKey, type RunContext } from "../run-context.js";
import type { PairState } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";
import {
  resolveOutcome,
  type TrainingOutcome,
  trainingInputs,
  trainingSummary,
  trainPlan,
} from "../training-run.js";

/** Stage 2 of the compile: the pair's Phase-2 plans, given the selections and replay mixes made so far. */
async function phase2Plans(ctx: RunContext, pair: PairState) {
  const selections: Partial<Record<ExperimentStrategy, string>> = {};
  for (const [strategy, s] of Object.entries(pair.selections))
    selections[strategy as ExperimentStrategy] = s.path;
  const replay: Partial<Record<ExperimentStrategy, string>> = {};
  for (const [strategy, r] of Object.entries(pair.replay)) replay[strategy as ExperimentStrategy] = r.path;
  return compilePhase2(ctx.experiment, pair.stage, compileOptions(ctx), { selections, replay });
}

/** Phase 2: one training run per strategy of each pair, from its Phase-1 model. */
export const phase2Step: PipelineStep = {
  name: "phase2",
  summary: "Phase 2: one run per strategy (baseline, freezing, replay, LoRA, …) from each Phase-1 model",
  async units(ctx, state) {
    const units: StepUnit[] = [];
    for (const pair of state.pairs) {
      const compiled = await phase2Plans(ctx, pair);
      for (const skipped of compiled.skipped)
        ctx.log.event(`phase2-${pair.name}-${skipped.strategy}`, "skipped", { reason: skipped.reason });
      pair.phase2 = [];
      for (const plan of compiled.plans) {
        const strategy = plan.strategy as ExperimentStrategy;
        const selection = pair.selections[strategy];
        units.push(
          unit<TrainingOutcome>({
            label: `phase2-${pair.name}-${strategy}`,
            inputs: await trainingInputs(ctx, plan, {
              base: plan.phase === "mixture" ? pair.base.key : pair.phase1?.key,
              selection: selection ? await fileKey(ctx, selection.path) : null,
            }),
            run: () => trainPlan(ctx, plan),
            keep: async ({ result, key }) => {
              const trained = resolveOutcome(ctx, result);
              pair.phase2.push({
                strategy,
                plan,
                model: { dir: trained.modelDir, key },
                training: await trainingSummary(trained),
              });
            },
          }),
        );
      }
    }
    return units;
  },
};
