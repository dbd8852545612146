import type { MpdResult } from "@cftkit/similarity";
import type { PairState } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";

/**
 * The paper's MPD (Definition 2, Table 4): every Phase-1 model against the base model tuned on the Phase-2
 * data alone, normalised by the largest of the models compared with that reference.
 */
export const paperMpdStep: PipelineStep = {
  name: "paper-mpd",
  summary:
    "with analysis.paper_mpd: the paper's MPD of each Phase-1 model against the Phase-2-data-only model",
  async units(_ctx, state) {
    const byReference = new Map<string, PairState[]>();
    for (const pair of state.pairs) {
      if (!pair.phase2Only || !pair.phase1) continue;
      byReference.set(pair.phase2Only.key, [...(byReference.get(pair.phase2Only.key) ?? []), pair]);
    }
    const units: StepUnit[] = [];
    for (const pairs of byReference.values()) {
      const reference = pairs[0]!.phase2Only!;
      units.push(
        unit<MpdResult[]>({
          label: `paper-mpd-${pairs[0]!.name}`,
          inputs: { reference: reference.key, models: pairs.map((p) => p.phase1!.key) },
          run: async () => {
            const { compareModels } = await import("@cftkit/similarity");
            return compareModels(
              reference.dir,
              pairs.map((p) => p.phase1!.dir),
            );
          },
          keep: ({ result }) => {
            for (const [i, pair] of pairs.entries()) pair.paperMpd = result[i];
          },
        }),
      );
    }
    return units;
  },
};
