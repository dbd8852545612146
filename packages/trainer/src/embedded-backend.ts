import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { CftkitError, importOptional, type ProgressReporter } from "@cftkit/core";
// Types only at module load: @cftkit/lm (and its tensor backend) is imported lazily when a plan actually runs,
// so planning and the Axolotl backend never load it.
import type { TrainMetrics, TrainOptions, TrainResult } from "@cftkit/lm";
import { deriveBatchLayout } from "./batch-layout.js";
import { resolvePlanInputs } from "./freeze-selection.js";
import { readTrainingExamples, splitValidation, type TrainingExampleRow } from "./training-data.js";
import type { TrainingPlan } from "./training-plan.js";

export interface EmbeddedRunOptions {
  progress?: ProgressReporter;
  onMetrics?: (m: TrainMetrics) => void;
  /** Continue from the newest checkpoint in output_dir (default true). */
  resume?: boolean;
  /** Stop after this many optimizer steps of this call (tests: simulate an interruption). */
  stopAfterSteps?: number;
}

export interface EmbeddedRunResult {
  outputDir: string;
  /** The complete trained model (output_dir, or output_dir/merged for LoRA). */
  modelDir: string;
  adapterDir?: string;
  metricsPath: string;
  steps: number;
  finalLoss: number;
  evalLoss?: number;
  trainExamples: number;
  validationExamples: number;
  trainableParameters: number;
  totalParameters: number;
  baseModelDir: string;
}

/** What the embedded trainer gets from a plan (everything except the data and callbacks). */
export type EmbeddedTrainSettings = Omit<TrainOptions, "train" | "validation" | "progress" | "onMetrics">;

/** The base model folder a plan trains from: `init:tiny|small` → a fresh seeded model saved beside the runs. */
export function embeddedBaseModelDir(plan: TrainingPlan): string {
  const m = /^init:(tiny|small)$/.exec(plan.base_model);
  if (!m) return plan.base_model;
  return join(dirname(plan.output_dir), `init-${m[1]}-seed${plan.seed}`);
}

/**
 * Map a plan onto `trainCausalLM` options: one process, so micro_batch × accumulation = global batch;
 * the same learning rate, epochs, schedule, warm-up, weight decay, clipping, sequence length and seed;
 * `unfrozen_parameters` and LoRA (`target_modules` or every linear layer) as in Axolotl.
 */
export function planToTrainOptions(plan: TrainingPlan): EmbeddedTrainSettings {
  if (plan.freeze && plan.lora) {
    throw new CftkitError(
      "TRAIN_FREEZE_WITH_LORA",
      `${plan.name}: unfrozen_parameters and LoRA cannot be combined`,
    );
  }
  if (plan.freeze && !plan.freeze.unfrozen_parameters) {
    throw new CftkitError(
      "TRAIN_FREEZE_SELECTION_MISSING",
      `${plan.name}: the freeze selection ${plan.freeze.source} has not been read (does it exist?)`,
    );
  }
  const h = plan.hyperparameters;
  const batch = deriveBatchLayout({
    globalBatchSize: h.global_batch_size,
    worldSize: 1,
    microBatchSize: h.micro_batch_size,
    maxMicroBatchSize: h.max_micro_batch_size,
  });
  const options: EmbeddedTrainSettings = {
    modelDir: embeddedBaseModelDir(plan),
    outDir: plan.output_dir,
    learningRate: h.learning_rate,
    epochs: h.num_epochs,
    globalBatchSize: batch.globalBatchSize,
    microBatchSize: batch.microBatchSize,
    warmupSteps: h.warmup_steps,
    lrScheduler: h.lr_scheduler,
    weightDecay: h.weight_decay,
    maxGradNorm: h.max_grad_norm,
    sequenceLength: plan.sequence_len,
    seed: plan.seed,
    loggingSteps: h.logging_steps,
  };
  if (h.max_steps !== undefined) options.maxSteps = h.max_steps;
  if (h.save_strategy === "steps" && h.save_steps !== undefined) {
    options.saveEverySteps = h.save_steps;
    if (h.val_set_size > 0) options.evalEverySteps = h.save_steps;
  }
  if (plan.freeze?.unfrozen_parameters) options.unfrozenParameters = plan.freeze.unfrozen_parameters;
  if (plan.lora) {
    options.lora = {
      r: plan.lora.r,
      alpha: plan.lora.alpha,
      dropout: plan.lora.dropout,
      targetModules: plan.lora.target_modules ?? ["all-linear"],
    };
  }
  return options;
}

/** Read every dataset of a plan into chat examples and hold out `val_set_size` (seeded). */
export async function loadPlanExamples(
  plan: TrainingPlan,
): Promise<{ train: TrainingExampleRow[]; validation: TrainingExampleRow[] }> {
  const all: TrainingExampleRow[] = [];
  for (const d of plan.datasets) all.push(...(await readTrainingExamples(d)));
  if (all.length === 0)
    throw new CftkitError("TRAIN_DATASET_EMPTY", `${plan.name}: the datasets hold no rows`);
  return splitValidation(all, plan.hyperparameters.val_set_size, plan.seed);
}

/**
 * Run a plan on the embedded CPU trainer (`@cftkit/lm`): same plan, same metrics file
 * (`<output_dir>/metrics.jsonl`, Hugging Face key names), same progress reporting, resumable.
 */
export async function runEmbedded(
  plan: TrainingPlan,
  options: EmbeddedRunOptions = {},
): Promise<EmbeddedRunResult> {
  const resolved = await resolvePlanInputs(plan);
  const settings = planToTrainOptions(resolved);
  const { CausalLM, trainCausalLM } = await importOptional(
    "@cftkit/lm",
    "the embedded CPU backend",
    () => import("@cftkit/lm"),
  );
  const init = /^init:(tiny|small)$/.exec(resolved.base_model);
  if (init && !existsSync(join(settings.modelDir, "config.json"))) {
    const model = await CausalLM.init({ preset: init[1] as "tiny" | "small", seed: resolved.seed });
    try {
      await model.save(settings.modelDir);
    } finally {
      model.dispose();
    }
  } else if (!existsSync(join(settings.modelDir, "config.json"))) {
    throw new CftkitError(
      "TRAIN_BASE_MODEL_MISSING",
      `${resolved.name}: the embedded backend needs a local model folder with config.json; ${settings.modelDir} has none${
        resolved.depends_on.length ? ` (run ${resolved.depends_on.join(", ")} first)` : ""
      }`,
    );
  }
  const { train, validation } = await loadPlanExamples(resolved);
  const result: TrainResult = await trainCausalLM({
    ...settings,
    train,
    validation: validation.length > 0 ? validation : undefined,
    resume: options.resume ?? true,
    progress: options.progress,
    onMetrics: options.onMetrics,
    stopAfterSteps: options.stopAfterSteps,
  });
  return {
    outputDir: result.outDir,
    modelDir: result.modelDir,
    adapterDir: result.adapterDir,
    metricsPath: result.metricsPath,
    steps: result.steps,
    finalLoss: result.finalLoss,
    evalLoss: result.evalLoss,
    trainExamples: train.length,
    validationExamples: validation.length,
    trainableParameters: result.trainableParameters,
    totalParameters: result.totalParameters,
    baseModelDir: settings.modelDir,
  };
}
