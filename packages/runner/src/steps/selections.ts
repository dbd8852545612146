import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import { type ExperimentStrategy, type FreezeRecipe, strategyEntry } from "@cftkit/trainer";
import type { RunContext } from "../run-context.js";
import type { ModelRef, PairState } from "../run-state.js";
import { type PipelineStep, unit } from "../step.js";

type Selection = { yaml: string; frozen: string[] };

/** One freeze selection as its catalogue recipe says, from the Phase-1 model (and the base, for LF_H2). */
async function select(
  ctx: RunContext,
  recipe: FreezeRecipe,
  base: ModelRef,
  phase1: ModelRef,
  dir: string,
): Promise<Selection> {
  const freeze = await import("@cftkit/freeze");
  const { analysis, seed } = ctx.experiment;
  switch (recipe.heuristic) {
    case "random-layers":
      return freeze.randomLayers(phase1.dir, { k: analysis.lf_layers, seed });
    case "layer-diff":
      return freeze.layerDiff(base.dir, phase1.dir, { topK: analysis.lf_layers });
    case "spectrum":
      return freeze.spectrum(phase1.dir, {
        topPercent: analysis.spectrum_top_percent,
        mode: freeze.requireSpectrumMode(recipe.mode), // the catalogue names the direction; no silent default
        cachePath: join(dir, "snr-cache.jsonl"),
        progress: ctx.progress,
      });
  }
}

/** The pair's strategies that freeze, with their catalogue recipes. */
function freezeStrategies(pair: PairState): { strategy: ExperimentStrategy; recipe: FreezeRecipe }[] {
  return pair.strategies.flatMap((strategy) => {
    const recipe = strategyEntry(strategy).freeze;
    return recipe ? [{ strategy, recipe }] : [];
  });
}

/** Freeze selections (LF_H1, LF_H2, Spectrum, …) made from each pair's Phase-1 model. */
export const selectionsStep: PipelineStep = {
  name: "selections",
  summary: "freeze selections from each Phase-1 model, for the strategies that freeze layers",
  async units(ctx, state) {
    const units = [];
    for (const pair of state.pairs) {
      const wanted = freezeStrategies(pair);
      const phase1 = pair.phase1;
      if (!wanted.length || !phase1) continue;
      units.push(
        unit<Record<string, { file: string; frozen: string[] }>>({
          label: `selections-${pair.name}`,
          inputs: {
            phase1: phase1.key,
            base: pair.base.key,
            k: ctx.experiment.analysis.lf_layers,
            top: ctx.experiment.analysis.spectrum_top_percent,
            recipes: wanted,
          },
          run: async (dir) => {
            const out: Record<string, { file: string; frozen: string[] }> = {};
            for (const { strategy, recipe } of wanted) {
              const selection = await select(ctx, recipe, pair.base, phase1, dir);
              await writeFileAtomic(join(dir, `${strategy}.yaml`), selection.yaml);
              out[strategy] = { file: `${strategy}.yaml`, frozen: selection.frozen };
            }
            return out;
          },
          keep: ({ result, dir }) => {
            for (const [strategy, s] of Object.entries(result))
              pair.selections[strategy as ExperimentStrategy] = { path: join(dir, s.file), frozen: s.frozen };
          },
        }),
      );
    }
    return units;
  },
};
