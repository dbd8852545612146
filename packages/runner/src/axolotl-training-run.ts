import type { TrainingPlan } from "@cftkit/trainer";
import type { RunContext } from "./run-context.js";
import type { TrainingOutcome } from "./training-run.js";

/**
 * Train one plan with Axolotl (`backend: axolotl`): what trains is checked on the base checkpoint first,
 * the config is written and `axolotl train` launched without a shell (resuming from the newest checkpoint
 * after an interruption), LoRA adapters are merged with `axolotl merge-lora`. A failure stops the run with
 * the diagnosed cause; finished steps stay in the step cache.
 */
export async function trainPlanWithAxolotl(ctx: RunContext, plan: TrainingPlan): Promise<TrainingOutcome> {
  const { trainWithAxolotl, embeddedBaseModelDir } = await import("@cftkit/trainer");
  // A fresh `init:` base is the folder prepareRun saved; Axolotl reads folders (or hub ids).
  const runnable = plan.base_model.startsWith("init:")
    ? { ...plan, base_model: embeddedBaseModelDir(plan) }
    : plan;
  const t0 = Date.now();
  const run = await trainWithAxolotl(runnable, { progress: ctx.progress });
  if (run.resumedFrom) ctx.log.event(`train ${plan.name}`, "done", { resumed_from: run.resumedFrom });
  return {
    modelDir: run.modelDir,
    steps: run.steps,
    finalLoss: run.finalLoss,
    metricsPath: run.metricsPath,
    seconds: (Date.now() - t0) / 1000,
    trainable: run.trainable ?? Number.NaN,
    total: run.total ?? Number.NaN,
  };
}
