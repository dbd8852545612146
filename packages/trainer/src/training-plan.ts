import { dirname, extname, resolve } from "node:path";
import { CftkitError, formatZodIssues, writeFileAtomic } from "@cftkit/core";
import { stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { readStructuredFile } from "./read-structured-file.js";
import { planResolvedFrom } from "./plan-paths.js";
import { STRATEGY_NAMES, type StrategyName } from "./strategy-catalogue.js";

/** Every kind of run a plan can describe: Phase 1, and the Phase-2 strategies of the paper. */
export const PLAN_STRATEGIES = ["phase1", ...STRATEGY_NAMES] as const;
export type PlanStrategy = "phase1" | StrategyName;

/**
 * The paper's hyper-parameters (Aggarwal et al. 2024, Table A1; docs/formats.md): lr 1e-6, 4 epochs,
 * global batch 16, cosine schedule, 10 linear warm-up steps, AdamW, weight decay 0, full fine-tuning in bf16.
 */
export const PAPER_HYPERPARAMETERS = {
  learning_rate: 1e-6,
  num_epochs: 4,
  global_batch_size: 16,
  lr_scheduler: "cosine",
  warmup_steps: 10,
  optimizer: "adamw_torch",
  weight_decay: 0,
  bf16: true,
} as const;

/** The paper's LoRA baseline uses rank 64. */
export const PAPER_LORA_RANK = 64;

/**
 * Upper bounds on every number a plan carries: generous for any real run, and small enough that each is
 * written to YAML as a plain number (never `1e+23`, which PyYAML reads as a string).
 */
export const MAX_EPOCHS = 10_000;
export const MAX_STEPS = 1_000_000_000;
export const MAX_BATCH = 1_000_000;
export const MAX_ROWS = 1_000_000_000;
export const MAX_NODES = 100_000;
export const MAX_SEQUENCE_LEN = 2_097_152;
export const MAX_SEED = 2 ** 32 - 1;

/** One training data file, as written by `@cftkit/datasets` exports (replay already mixed in). */
export const PlanDatasetSchema = z
  .object({
    path: z.string().min(1),
    type: z.enum(["alpaca", "chat_template"]),
    /** Where the rows came from (`phase1`, `phase2`, `replay:GR_5`, …); informational. */
    role: z.string().optional(),
    /** For chat_template rows: the field holding the message list. */
    field_messages: z.string().default("messages"),
  })
  .strict();
export type PlanDataset = z.infer<typeof PlanDatasetSchema>;

export const HyperparametersSchema = z
  .object({
    learning_rate: z.number().positive().max(10).default(PAPER_HYPERPARAMETERS.learning_rate),
    num_epochs: z.number().positive().max(MAX_EPOCHS).default(PAPER_HYPERPARAMETERS.num_epochs),
    /** Kept constant across GPU counts: micro_batch_size × gradient_accumulation_steps × world size. */
    global_batch_size: z
      .number()
      .int()
      .positive()
      .max(MAX_BATCH)
      .default(PAPER_HYPERPARAMETERS.global_batch_size),
    /** Per-device batch; derived (largest divisor ≤ max_micro_batch_size) when not given. */
    micro_batch_size: z.number().int().positive().max(MAX_BATCH).optional(),
    max_micro_batch_size: z.number().int().positive().max(MAX_BATCH).default(4),
    lr_scheduler: z.enum(["cosine", "linear", "constant"]).default(PAPER_HYPERPARAMETERS.lr_scheduler),
    warmup_steps: z.number().int().nonnegative().max(MAX_STEPS).default(PAPER_HYPERPARAMETERS.warmup_steps),
    optimizer: z.enum(["adamw_torch", "adamw_torch_fused"]).default(PAPER_HYPERPARAMETERS.optimizer),
    weight_decay: z.number().nonnegative().max(100).default(PAPER_HYPERPARAMETERS.weight_decay),
    max_grad_norm: z.number().positive().max(1e6).default(1),
    bf16: z.boolean().default(PAPER_HYPERPARAMETERS.bf16),
    /** Stop after this many optimizer steps (smoke tests, embedded quick runs). */
    max_steps: z.number().int().positive().max(MAX_STEPS).optional(),
    logging_steps: z.number().int().positive().max(MAX_STEPS).default(1),
    save_strategy: z.enum(["epoch", "steps", "no"]).default("epoch"),
    save_steps: z.number().int().positive().max(MAX_STEPS).optional(),
    gradient_checkpointing: z.boolean().default(true),
    /** Fraction (0-1) or count of rows held out for evaluation; 0 = no evaluation. */
    val_set_size: z.number().nonnegative().max(MAX_ROWS).default(0),
    sample_packing: z.boolean().default(false),
  })
  .strict();
export type Hyperparameters = z.infer<typeof HyperparametersSchema>;

export const FreezeSchema = z
  .object({
    /** Axolotl semantics: everything frozen, then a parameter trains when a pattern `re.match`es its name. */
    unfrozen_parameters: z.array(z.string().min(1)).min(1).optional(),
    /** The freeze output file the list is read from (at run time when the list is not inlined yet). */
    source: z.string().optional(),
  })
  .strict()
  .refine((f) => f.unfrozen_parameters !== undefined || f.source !== undefined, {
    message: "freeze needs unfrozen_parameters or a source file to read them from",
  });
export type Freeze = z.infer<typeof FreezeSchema>;

export const LoraSchema = z
  .object({
    r: z.number().int().positive().max(65_536).default(PAPER_LORA_RANK),
    alpha: z
      .number()
      .positive()
      .max(1e6)
      .default(2 * PAPER_LORA_RANK),
    dropout: z.number().min(0).max(1).default(0.05),
    /** Explicit module names (`q_proj`, …); when absent, every linear layer (`lora_target_linear`). */
    target_modules: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();
export type Lora = z.infer<typeof LoraSchema>;

export const FsdpSchema = z
  .object({
    version: z.literal(2).default(2),
    offload_params: z.boolean().default(false),
    cpu_ram_efficient_loading: z.boolean().default(true),
    reshard_after_forward: z.boolean().default(true),
    state_dict_type: z.enum(["FULL_STATE_DICT", "SHARDED_STATE_DICT"]).default("FULL_STATE_DICT"),
    /** Decoder-layer class (e.g. `LlamaDecoderLayer`); guessed from the model name when absent. */
    transformer_layer_cls_to_wrap: z.string().optional(),
    activation_checkpointing: z.boolean().optional(),
  })
  .strict();
export type Fsdp = z.infer<typeof FsdpSchema>;

export const LauncherSchema = z
  .object({
    /** `python` for one GPU; `accelerate` or `torchrun` for several GPUs or nodes. */
    kind: z.enum(["accelerate", "torchrun", "python"]).optional(),
    gpus_per_node: z.number().int().positive().max(1024).default(1),
    nodes: z.number().int().positive().max(MAX_NODES).default(1),
    node_rank: z.number().int().nonnegative().max(MAX_NODES).default(0),
    main_process_ip: z.string().optional(),
    main_process_port: z.number().int().positive().max(65_535).default(29500),
    /** A ZeRO preset (cftkit writes the json next to the config) or a path to your own DeepSpeed json. */
    deepspeed: z.string().optional(),
    fsdp: FsdpSchema.optional(),
  })
  .strict();
export type Launcher = z.infer<typeof LauncherSchema>;

export const TrainingPlanSchema = z
  .object({
    version: z.literal(1).default(1),
    name: z.string().min(1),
    strategy: z.enum(PLAN_STRATEGIES),
    /** The experiment setting (phase pair) this plan belongs to, e.g. `alpaca-multialpaca`. */
    setting: z.string().optional(),
    /** A model folder, a Hugging Face id, or `init:tiny` / `init:small` (embedded backend only). */
    base_model: z.string().min(1),
    phase: z.union([z.literal(1), z.literal(2), z.literal("mixture")]),
    datasets: z.array(PlanDatasetSchema).min(1),
    sequence_len: z.number().int().positive().max(MAX_SEQUENCE_LEN).default(2048),
    hyperparameters: HyperparametersSchema.prefault({}),
    freeze: FreezeSchema.optional(),
    lora: LoraSchema.optional(),
    /** Axolotl `chat_template` (e.g. `tokenizer_default`, `chatml`) for chat_template datasets. */
    chat_template: z.string().optional(),
    attn_implementation: z.string().optional(),
    /** Axolotl `special_tokens` (e.g. a pad token for base models without one). */
    special_tokens: z
      .object({
        bos_token: z.string().optional(),
        eos_token: z.string().optional(),
        pad_token: z.string().optional(),
        unk_token: z.string().optional(),
      })
      .strict()
      .optional(),
    seed: z.number().int().nonnegative().max(MAX_SEED).default(42),
    output_dir: z.string().min(1),
    launcher: LauncherSchema.prefault({}),
    /** Plans whose outputs this one needs first (the Phase-1 plan for a Phase-2 run). */
    depends_on: z.array(z.string()).default([]),
    /** What the plan was made from: experiment file, freeze selection, replay mix, … (name → path or value). */
    inputs: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.freeze && plan.lora) {
      ctx.addIssue({
        code: "custom",
        path: ["lora"],
        message:
          "freeze patterns (unfrozen_parameters) and LoRA cannot be combined: with LoRA Axolotl prefixes parameter names with base_model.model., so the patterns would match nothing",
      });
    }
    if (plan.launcher.deepspeed && plan.launcher.fsdp) {
      ctx.addIssue({ code: "custom", path: ["launcher"], message: "choose DeepSpeed or FSDP, not both" });
    }
  });
export type TrainingPlan = z.infer<typeof TrainingPlanSchema>;
/** A plan as written by hand: every defaulted field optional. */
export type TrainingPlanInput = z.input<typeof TrainingPlanSchema>;

/** Validate a plan object (defaults filled in); bad input → `TRAIN_PLAN_INVALID` naming the key. */
export function parseTrainingPlan(value: unknown, source = "plan"): TrainingPlan {
  const result = TrainingPlanSchema.safeParse(value);
  if (!result.success) {
    throw new CftkitError("TRAIN_PLAN_INVALID", `${source}: ${formatZodIssues(result.error)}`, {
      details: { issues: result.error.issues },
    });
  }
  return result.data;
}

/**
 * Read a plan from YAML or JSON (by extension; `.json` is JSON, anything else YAML). Relative paths in it
 * are relative to the plan file's folder (what `cftkit train plan` writes, so plan folders can move).
 */
export async function readTrainingPlan(path: string): Promise<TrainingPlan> {
  const value = await readStructuredFile(path, "plan", {
    notReadable: "TRAIN_PLAN_NOT_READABLE",
    invalid: "TRAIN_PLAN_INVALID",
  });
  return planResolvedFrom(parseTrainingPlan(value, path), dirname(resolve(path)));
}

/** Serialise a plan as YAML (or JSON for `.json` paths) and write it atomically. */
export async function writeTrainingPlan(path: string, plan: TrainingPlan): Promise<void> {
  const text = extname(path) === ".json" ? `${JSON.stringify(plan, null, 2)}\n` : stringifyYaml(plan);
  await writeFileAtomic(path, text);
}
