import { join } from "node:path";
import type { RunContext } from "./run-context.js";
import type { PipelineStep } from "./step.js";

/**
 * Steps that run once per seed: what a seed changes (data order, replay draws, LoRA init) reaches the
 * models through these. DES (a property of the data) and the analysis steps (MPD, hidden states, drift,
 * projection) run on the first seed only.
 */
export const PER_SEED_STEPS: ReadonlySet<string> = new Set([
  "phase1",
  "selections",
  "replay",
  "phase2",
  "evaluate",
]);

/** The run's seeds: `seeds:` when given, else the one `seed`. */
export function runSeeds(experiment: RunContext["experiment"]): number[] {
  return experiment.seeds ?? [experiment.seed];
}

/**
 * The context a later seed runs in: the experiment with that seed, its models in `<output_dir>/seed-<s>/`
 * (the compile puts each plan's output under `output_dir`, so seeds never share a training folder). The
 * step cache and the report stay where the first seed's are.
 */
export function seedContext(ctx: RunContext, seed: number): RunContext {
  const output_dir = join(ctx.experiment.output_dir, `seed-${seed}`);
  return { ...ctx, experiment: { ...ctx.experiment, seed, output_dir } };
}

/** The walk of a later seed: the per-seed steps, their units named `<unit>-seed<s>`. */
export function seedPart(seed: number) {
  return {
    includes: (step: PipelineStep) => PER_SEED_STEPS.has(step.name),
    label: (label: string) => `${label}-seed${seed}`,
  };
}
