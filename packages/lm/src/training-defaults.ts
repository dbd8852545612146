import type { LoraOptions } from "./lora.js";
import type { LrSchedulerName } from "./lr-schedule.js";

// Its own entry (`@cftkit/lm/defaults`, no tfjs or onnxruntime behind it) so `cftkit --help` can show these.

/**
 * The paper's hyper-parameters (Aggarwal et al., Table A1; docs/formats.md): lr 1e-6, 4 epochs, global batch
 * 16, cosine schedule with 10 warmup steps, AdamW, weight decay 0; LoRA baseline rank 64. These are the
 * defaults of `trainCausalLM`; tiny embedded models need a much higher learning rate (e.g. 3e-3), which
 * the caller passes explicitly.
 */
export const PAPER_TRAINING_DEFAULTS = {
  learningRate: 1e-6,
  epochs: 4,
  globalBatchSize: 16,
  microBatchSize: 4,
  warmupSteps: 10,
  lrScheduler: "cosine" as LrSchedulerName,
  weightDecay: 0,
  maxGradNorm: 1.0,
  sequenceLength: 2048,
  seed: 42,
  lora: { r: 64, alpha: 128, dropout: 0.05, targetModules: ["all-linear"] } as LoraOptions,
} as const;
