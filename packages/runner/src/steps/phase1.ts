import { stableHash } from "@cftkit/core";
import { localModelDir } from "../model-folder.js";
import { type PipelineStep, unit } from "../step.js";
import {
  resolveOutcome,
  type TrainingOutcome,
  trainingInputs,
  trainingSummary,
  trainPlan,
} from "../training-run.js";

/** Phase 1: train each pair's Phase-1 plan (or take its off-the-shelf instruct model). */
export const phase1Step: PipelineStep = {
  name: "phase1",
  summary: "Phase 1: fine-tune the base model on each pair's English data (or use its instruct model)",
  async units(ctx, state) {
    const units = [];
    for (const pair of state.pairs) {
      const plan = pair.stage.phase1Plan;
      if (!plan) {
        const model = pair.stage.setting.phase1.model!;
        pair.phase1 = { dir: localModelDir(ctx, model), key: stableHash({ instruct: model }) };
        continue;
      }
      units.push(
        unit<TrainingOutcome>({
          label: `phase1-${pair.name}`,
          inputs: await trainingInputs(ctx, plan, { base: pair.base.key }),
          run: () => trainPlan(ctx, plan),
          keep: async ({ result, key }) => {
            const trained = resolveOutcome(ctx, result);
            pair.phase1 = { dir: trained.modelDir, key };
            pair.phase1Training = await trainingSummary(trained);
          },
        }),
      );
    }
    return units;
  },
};
