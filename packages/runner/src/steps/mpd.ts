import type { MpdResult } from "@cftkit/similarity";
import { type PipelineStep, type StepUnit, unit } from "../step.js";

/**
 * Phase 1 → Phase 2 weight change of every Phase-2 model: Definition 2's sum with the Phase-1 model as the
 * reference, normalised per pair. Not the paper's Table-4 MPD (models tuned from one base on different data).
 */
export const mpdStep: PipelineStep = {
  name: "mpd",
  summary:
    "Phase 1 → Phase 2 weight change of each Phase-2 model (Definition 2's sum against its Phase-1 model)",
  async units(_ctx, state) {
    const units: StepUnit[] = [];
    for (const pair of state.pairs) {
      const phase1 = pair.phase1;
      if (!pair.phase2.length || !phase1) continue;
      const runs = [...pair.phase2];
      units.push(
        unit<MpdResult[]>({
          label: `mpd-${pair.name}`,
          inputs: { phase1: phase1.key, models: runs.map((r) => r.model.key) },
          run: async () => {
            const { compareModels } = await import("@cftkit/similarity");
            return compareModels(
              phase1.dir,
              runs.map((r) => r.model.dir),
            );
          },
          keep: ({ result }) => {
            for (const [i, r] of runs.entries()) if (result[i]) pair.mpd[r.strategy] = result[i];
          },
        }),
      );
    }
    return units;
  },
};
