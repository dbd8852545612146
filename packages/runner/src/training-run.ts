import { existsSync } from "node:fs";
import { readJsonLines, stableHash } from "@cftkit/core";
import type { TrainingPlan } from "@cftkit/trainer";
import { trainPlanWithAxolotl } from "./axolotl-training-run.js";
import { fileKey, type RunContext } from "./run-context.js";
import type { TrainingSummary } from "./report/experiment-results.js";

/** What a training unit leaves in its step record. */
export interface TrainingOutcome {
  modelDir: string;
  steps: number;
  finalLoss: number;
  metricsPath: string;
  seconds: number;
  trainable: number;
  total: number;
}

/** A plan's cache key: everything that changes what it trains, not where it writes. */
export function planKey(plan: TrainingPlan): string {
  return stableHash({ ...plan, output_dir: undefined, inputs: undefined });
}

/** The hashed inputs of a training unit: the plan and the content of its data files. */
export async function trainingInputs(
  ctx: RunContext,
  plan: TrainingPlan,
  extra: Record<string, unknown> = {},
) {
  return {
    plan: planKey(plan),
    ...extra,
    data: await Promise.all(plan.datasets.map((d) => fileKey(ctx, d.path))),
  };
}

/** Train one plan on the embedded backend (it resumes from its own checkpoints after an interruption). */
export async function trainPlan(ctx: RunContext, plan: TrainingPlan): Promise<TrainingOutcome> {
  if (ctx.experiment.backend === "axolotl") return trainPlanWithAxolotl(ctx, plan);
  const { runEmbedded } = await import("@cftkit/trainer");
  const t0 = Date.now();
  const run = await runEmbedded(plan, { progress: ctx.progress });
  return {
    modelDir: run.modelDir,
    steps: run.steps,
    finalLoss: run.finalLoss,
    metricsPath: run.metricsPath,
    seconds: (Date.now() - t0) / 1000,
    trainable: run.trainableParameters,
    total: run.totalParameters,
  };
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
