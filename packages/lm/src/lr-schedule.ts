import { CftkitError } from "@cftkit/core";

/** The learning-rate schedules the embedded trainer supports (Hugging Face `get_scheduler` names). */
export type LrSchedulerName = "cosine" | "linear" | "constant";

export interface LrScheduleOptions {
  /** Peak learning rate (reached at the end of the warmup). */
  learningRate: number;
  /** Linear warmup from 0 over this many optimizer steps. */
  warmupSteps: number;
  /** Total optimizer steps of the run. */
  totalSteps: number;
  scheduler: LrSchedulerName;
  /** Cosine only: number of cosine half-waves; HF's default 0.5 decays once to 0. */
  numCycles?: number;
}

/**
 * The multiplier of the peak learning rate at optimizer step `step` (0-based: the rate used by the
 * first update is `lrLambda(0)`), with the formulas of Hugging Face transformers'
 * `get_cosine_schedule_with_warmup`, `get_linear_schedule_with_warmup` and
 * `get_constant_schedule_with_warmup` (a constant schedule with `warmupSteps = 0` is HF's `constant`).
 */
export function lrLambda(step: number, options: Omit<LrScheduleOptions, "learningRate">): number {
  const { warmupSteps, totalSteps, scheduler } = options;
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  switch (scheduler) {
    case "constant":
      return 1;
    case "linear":
      return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    case "cosine": {
      const numCycles = options.numCycles ?? 0.5;
      const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
      return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress)));
    }
    default:
      throw new CftkitError("LM_BAD_LR_SCHEDULER", `unknown lr scheduler "${String(scheduler)}"`, {
        details: { scheduler },
      });
  }
}

/** Learning rate used by optimizer step `step` (0-based). */
export function learningRateAt(step: number, options: LrScheduleOptions): number {
  return options.learningRate * lrLambda(step, options);
}
