import type { LoraOptions } from "./lora.js";
import type { LrSchedulerName } from "./lr-schedule.js";
import { z } from "zod";

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

const d = PAPER_TRAINING_DEFAULTS;
/** A whole number ≥ 1 (zod's uint32 would report "≥ 0" for a negative one). */
const positive = () =>
  z
    .int()
    .min(1)
    .max(2 ** 32 - 1);

/**
 * The training settings a caller chooses, with the paper's defaults: trainCausalLM checks them, and
 * `cftkit lm train` builds its flags, help text and defaults from them.
 */
export const trainingSettingsSchema = z.object({
  learningRate: z
    .number()
    .gt(0)
    .default(d.learningRate)
    .describe("peak learning rate (tiny models need ~3e-3)"),
  epochs: z.number().gt(0).default(d.epochs).describe("epochs"),
  globalBatchSize: positive().default(d.globalBatchSize).describe("global batch size"),
  microBatchSize: positive()
    .default(d.microBatchSize)
    .describe("micro-batch size; gradient accumulation = batch / micro-batch"),
  maxSteps: positive().optional().describe("stop after this many optimizer steps (overrides --epochs)"),
  warmupSteps: z.uint32().default(d.warmupSteps).describe("linear warmup steps"),
  lrScheduler: z
    .enum(["cosine", "linear", "constant"])
    .default(d.lrScheduler)
    .describe("learning-rate schedule"),
  weightDecay: z.number().min(0).default(d.weightDecay).describe("AdamW decoupled weight decay"),
  maxGradNorm: z
    .number()
    .min(0)
    .default(d.maxGradNorm)
    .describe("gradient clipping by global norm (0 = off)"),
  sequenceLength: positive().default(d.sequenceLength).describe("truncate examples to this many tokens"),
  seed: z.uint32().default(d.seed).describe("seed of data order, LoRA init and dropout"),
  unfrozenParameters: z
    .array(z.string().min(1))
    .optional()
    .describe("train only parameters matching this Axolotl unfrozen_parameters pattern (repeatable)"),
  saveEverySteps: positive().optional().describe("write a checkpoint every N steps (and at the end)"),
  evalEverySteps: positive().optional().describe("compute eval_loss every N steps (needs --validation)"),
  resume: z.boolean().default(false).describe("continue from the newest checkpoint in --out"),
});

/**
 * The LoRA choices of a training run: no `r` means full fine-tuning. `loraOptionsOf` turns them into the
 * trainer's `lora` option; `cftkit lm train` builds its `--lora-…` flags from this schema.
 */
export const loraSettingsSchema = z.object({
  r: positive().optional().describe("train LoRA adapters of this rank instead of the full model"),
  alpha: z.number().gt(0).optional().describe("LoRA alpha (2 × r when not given)"),
  dropout: z.number().min(0).lt(1).default(d.lora.dropout).describe("LoRA dropout"),
  targetModules: z
    .array(z.string().min(1))
    .default([...d.lora.targetModules])
    .describe("LoRA target module, e.g. q_proj (repeatable)"),
});

/** The trainer's `lora` option for those choices (alpha defaults to 2 × r), or undefined without a rank. */
export function loraOptionsOf(settings: z.input<typeof loraSettingsSchema>): LoraOptions | undefined {
  const { r, alpha, dropout, targetModules } = loraSettingsSchema.parse(settings);
  return r === undefined ? undefined : { r, alpha: alpha ?? 2 * r, dropout, targetModules };
}

/** What a training run reads and where it writes: `trainCausalLMFromFiles` checks it, `cftkit lm train` builds its flags from it. */
export const trainingFilesSchema = z.object({
  data: z
    .string()
    .min(1)
    .meta({ path: "input" })
    .describe("JSONL of TrainingExample rows ({id, messages:[{role, content}]}) or Axolotl chat rows"),
  outDir: z
    .string()
    .min(1)
    .meta({ path: "output-folder" })
    .describe("output folder: checkpoints, metrics.jsonl, the trained model"),
  validation: z
    .string()
    .min(1)
    .meta({ path: "input" })
    .optional()
    .describe("held-out JSONL rows for eval_loss"),
});
