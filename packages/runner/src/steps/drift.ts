import type { LayerDrift } from "@cftkit/similarity";
import { type PipelineStep, type StepUnit, unit } from "../step.js";

/** Representation drift per layer of each Phase-2 model from its Phase-1 model (paper §4.4). */
export const driftStep: PipelineStep = {
  name: "drift",
  summary: "covariance drift per layer of each Phase-2 model's activations from its Phase-1 model's",
  async units(_ctx, state) {
    const units: StepUnit[] = [];
    for (const pair of state.pairs) {
      const before = pair.activations.phase1;
      if (!before) continue;
      for (const run of pair.phase2) {
        const after = pair.activations[run.strategy];
        if (!after) continue;
        units.push(
          unit<LayerDrift[]>({
            label: `drift-${pair.name}-${run.strategy}`,
            inputs: { phase1: before.key, phase2: after.key },
            run: async () => {
              const { layerDrift, readActivationFile } = await import("@cftkit/similarity");
              const [a, b] = [await readActivationFile(before.file), await readActivationFile(after.file)];
              return layerDrift(a.layers, b.layers);
            },
            keep: ({ result }) => {
              pair.drift[run.strategy] = result;
            },
          }),
        );
      }
    }
    return units;
  },
};
