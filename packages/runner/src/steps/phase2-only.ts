import { join } from "node:path";
import { stableHash } from "@cftkit/core";
import type { TrainingPlan } from "@cftkit/trainer";
import type { PairState } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";
import { resolveOutcome, type TrainingOutcome, trainingInputs, trainPlan } from "../training-run.js";

/**
 * The plan "base model + this pair's Phase-2 data alone" (the paper's MPD reference, Definition 2): the
 * baseline strategy's Phase-2 plan (its data and training settings, no replay, nothing frozen) started from
 * the base model instead of the Phase-1 model.
 */
function phase2OnlyPlan(pair: PairState): TrainingPlan | undefined {
  const baseline = pair.phase2.find((r) => r.strategy === "baseline")?.plan;
  if (!baseline) return undefined;
  return {
    ...baseline,
    name: `${pair.name}.phase2_only`,
    base_model: pair.stage.baseModel,
    output_dir: join(baseline.output_dir, "..", "phase2-only"),
    depends_on: [],
    inputs: { ...baseline.inputs, base_model: pair.stage.baseModel },
  };
}

/** With `analysis.paper_mpd`: train the base model on each distinct Phase-2 data alone, once. */
export const phase2OnlyStep: PipelineStep = {
  name: "phase2-only",
  summary: "with analysis.paper_mpd: the base model tuned on each pair's Phase-2 data alone (MPD reference)",
  async units(ctx, state) {
    if (!ctx.experiment.analysis.paper_mpd) return [];
    const groups = new Map<string, { plan: TrainingPlan; pairs: PairState[] }>();
    for (const pair of state.pairs) {
      const plan = phase2OnlyPlan(pair);
      if (!plan) {
        ctx.log.event(`phase2-only-${pair.name}`, "skipped", {
          reason: "needs the baseline strategy's Phase-2 plan (add baseline to the setting's strategies)",
        });
        continue;
      }
      const id = stableHash({ base: plan.base_model, data: plan.datasets });
      const group = groups.get(id) ?? { plan, pairs: [] };
      group.pairs.push(pair);
      groups.set(id, group);
    }
    const units: StepUnit[] = [];
    for (const { plan, pairs } of groups.values()) {
      units.push(
        unit<TrainingOutcome>({
          label: `phase2-only-${pairs[0]!.name}`,
          inputs: await trainingInputs(ctx, plan, { base: pairs[0]!.base.key }),
          run: () => trainPlan(ctx, plan),
          keep: ({ result, key }) => {
            const { modelDir } = resolveOutcome(ctx, result);
            for (const pair of pairs) pair.phase2Only = { dir: modelDir, key };
          },
        }),
      );
    }
    return units;
  },
};
