import { existsSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import { readJsonLines, stableHash } from "@cftkit/core";
import type { TrainingPlan } from "@cftkit/trainer";
import { trainPlanWithAxolotl } from "./axolotl-training-run.js";
import { fileKey, type RunContext } from "./run-context.js";
import type { TrainingSummary } from "./report/experiment-results.js";

/**
 * What a training unit leaves in its step record. Paths are relative to the run folder, so a run folder
 * copied to another machine (or another place) still finds its models; {@link resolveOutcome} makes them
 * absolute again.
 */
export interface TrainingOutcome {
  modelDir: string;
  steps: number;
  finalLoss: number;
  metricsPath: string;
  seconds: number;
  trainable: number;
  total: number;
}

/**
 * A plan's cache key: everything that changes what it trains, not where it reads or writes. Locations are
 * left out (a run folder copied to another machine keeps its keys); what they hold is in the unit's other
 * inputs: the data files' content and the key of the model it starts from.
 */
export function planKey(plan: TrainingPlan): string {
  const deepspeed = plan.launcher.deepspeed;
  return stableHash({
    ...plan,
    base_model: undefined,
    output_dir: undefined,
    inputs: undefined,
    datasets: plan.datasets.map((d) => ({ ...d, path: undefined })),
    freeze: plan.freeze && { ...plan.freeze, source: undefined },
    launcher: { ...plan.launcher, deepspeed: deepspeed && basename(deepspeed) },
  });
}

/** The outcome with its paths relative to the run folder (what the step record keeps). */
function portableOutcome(ctx: Pick<RunContext, "outDir">, outcome: TrainingOutcome): TrainingOutcome {
  const rel = (p: string) => relative(ctx.outDir, p) || ".";
  return { ...outcome, modelDir: rel(outcome.modelDir), metricsPath: rel(outcome.metricsPath) };
}

/** A recorded outcome with absolute paths in this run folder (records written before held absolute ones). */
export function resolveOutcome(ctx: Pick<RunContext, "outDir">, outcome: TrainingOutcome): TrainingOutcome {
  return {
    ...outcome,
    modelDir: resolve(ctx.outDir, outcome.modelDir),
    metricsPath: resolve(ctx.outDir, outcome.metricsPath),
  };
}

/**
 * The hashed inputs of a training unit: the plan, the key of the model it starts from (`base`) and the
 * content of its data files.
 */
export async function trainingInputs(
  ctx: RunContext,
  plan: TrainingPlan,
  extra: { base: string | undefined } & Record<string, unknown>,
) {
  return {
    plan: planKey(plan),
    ...extra,
    data: await Promise.all(plan.datasets.map((d) => fileKey(ctx, d.path))),
  };
}

/** Train one plan on the embedded backend (it resumes from its own checkpoints after an interruption). */
export async function trainPlan(ctx: RunContext, plan: TrainingPlan): Promise<TrainingOutcome> {
  if (ctx.experiment.backend === "axolotl")
    return portableOutcome(ctx, await trainPlanWithAxolotl(ctx, plan));
  const { runEmbedded } = await import("@cftkit/trainer");
  const t0 = Date.now();
  const run = await runEmbedded(plan, { progress: ctx.progress });
  return portableOutcome(ctx, {
    modelDir: run.modelDir,
    steps: run.steps,
    finalLoss: run.finalLoss,
    metricsPath: run.metricsPath,
    seconds: (Date.now() - t0) / 1000,
    trainable: run.trainableParameters,
    total: run.totalParameters,
  });
}

/** The loss curve a training run logged (`metrics.jsonl`: one `{step, loss}` per logged step). */
async function readCurve(metricsPath: string): Promise<{ step: number; loss: number }[]> {
  const curve: { step: number; loss: number }[] = [];
  if (!existsSync(metricsPath)) return curve;
  for await (const line of readJsonLines(metricsPath)) {
    if (!line.ok) continue;
    const v = line.value as { step?: number; loss?: number };
    if (typeof v.step === "number" && typeof v.loss === "number") curve.push({ step: v.step, loss: v.loss });
  }
  return curve;
}

export async function trainingSummary(outcome: TrainingOutcome): Promise<TrainingSummary> {
  return {
    steps: outcome.steps,
    final_loss: outcome.finalLoss,
    seconds: outcome.seconds,
    curve: await readCurve(outcome.metricsPath),
  };
}
