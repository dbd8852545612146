import type { RunContext } from "./run-context.js";
import type { RunState } from "./run-state.js";

/** Where a unit's result came from and where its files are. */
export interface UnitOutput<R> {
  result: R;
  /** The unit's folder in the step cache. */
  dir: string;
  /** The cache key (hash of the unit's inputs): downstream inputs include it. */
  key: string;
}

/**
 * One piece of a step's work (e.g. Phase 2 of one strategy of one pair). Its `inputs` are hashed into its
 * cache folder `<output_dir>/steps/<label>-<hash>/`; `run` fills that folder and returns a JSON result;
 * `keep` hands the new or reused result to later steps.
 */
export interface StepUnit<R = unknown> {
  /** Cache folder prefix and progress-line name, e.g. `phase2-dissimilar-LoRA`. */
  label: string;
  inputs: unknown;
  run(dir: string): Promise<R>;
  keep(output: UnitOutput<R>): void | Promise<void>;
  /** `false`: always run, never cached (the report, which must reflect the run it ends). */
  cache?: boolean;
}

/**
 * A row of the step table: a name (what `--only`/`--from` take), a one-line summary (`--dry-run`), and the
 * units of work it has given what earlier steps kept in the state (none: nothing to do).
 */
export interface PipelineStep {
  name: string;
  summary: string;
  units(ctx: RunContext, state: RunState): Promise<StepUnit[]>;
}

/** Erase a unit's result type for the step table (the walker only stores and hands back results). */
export function unit<R>(u: StepUnit<R>): StepUnit {
  return u as StepUnit;
}
