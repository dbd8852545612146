import { join, resolve } from "node:path";
import { CftkitError, printable } from "@cftkit/core";
import { deriveBatchLayout } from "./batch-layout.js";
import { stringifyForPython } from "./python-yaml.js";
import type { TrainingPlan } from "./training-plan.js";

/** An Axolotl config (the YAML document) as a plain object. */
export type AxolotlConfig = Record<string, unknown>;

/** A file the config refers to (a DeepSpeed json), to be written next to it. */
export interface AxolotlSideFile {
  path: string;
  content: string;
}

export const DEEPSPEED_PRESETS = ["zero1", "zero2", "zero3"] as const;
export type DeepSpeedPreset = (typeof DEEPSPEED_PRESETS)[number];

/**
 * DeepSpeed ZeRO presets for the Hugging Face Trainer integration: batch sizes, accumulation and clipping
 * are "auto" (filled from the Axolotl config), bf16 follows the plan.
 */
export function deepSpeedPreset(preset: DeepSpeedPreset, bf16: boolean): Record<string, unknown> {
  const stage = Number(preset.slice(-1));
  const zero: Record<string, unknown> = { stage, overlap_comm: true, contiguous_gradients: true };
  if (stage >= 2) {
    zero.reduce_bucket_size = "auto";
    zero.allgather_bucket_size = 5e8;
  }
  if (stage === 3) {
    delete zero.allgather_bucket_size;
    zero.stage3_prefetch_bucket_size = "auto";
    zero.stage3_param_persistence_threshold = "auto";
    zero.stage3_max_live_parameters = 0;
    zero.stage3_max_reuse_distance = 0;
    zero.stage3_gather_16bit_weights_on_model_save = true;
  }
  return {
    zero_optimization: zero,
    bf16: { enabled: bf16 },
    fp16: { enabled: false },
    gradient_accumulation_steps: "auto",
    gradient_clipping: "auto",
    train_batch_size: "auto",
    train_micro_batch_size_per_gpu: "auto",
    wall_clock_breakdown: false,
  };
}

/** The decoder-layer class FSDP wraps, guessed from the model name when the plan does not say. */
export function guessDecoderLayerClass(baseModel: string): string | undefined {
  const m = baseModel.toLowerCase();
  if (m.includes("mistral")) return "MistralDecoderLayer";
  if (m.includes("qwen2")) return "Qwen2DecoderLayer";
  if (m.includes("qwen3")) return "Qwen3DecoderLayer";
  if (m.includes("gemma")) return "GemmaDecoderLayer";
  if (m.includes("llama")) return "LlamaDecoderLayer";
  return undefined;
}

export interface AxolotlConfigOptions {
  /** Folder the config (and DeepSpeed json) will be written to; default: `<output_dir>/..`. */
  configDir?: string;
  /** Resume from this checkpoint folder (`resume_from_checkpoint`). */
  resumeFromCheckpoint?: string;
}

/**
 * Translate a plan into an Axolotl config using only keys Axolotl accepts (docs/formats.md; checked in
 * tests against data/axolotl_schema.json). Freeze patterns and LoRA together are rejected: with LoRA the
 * parameter names are prefixed `base_model.model.` and the patterns would match nothing.
 */
export function planToAxolotlConfig(
  plan: TrainingPlan,
  options: AxolotlConfigOptions = {},
): { config: AxolotlConfig; sideFiles: AxolotlSideFile[] } {
  assertAxolotlCanRun(plan);
  const h = plan.hyperparameters;
  const l = plan.launcher;
  const worldSize = l.gpus_per_node * l.nodes;
  const batch = deriveBatchLayout({
    globalBatchSize: h.global_batch_size,
    worldSize,
    microBatchSize: h.micro_batch_size,
    maxMicroBatchSize: h.max_micro_batch_size,
  });
  const configDir = options.configDir ?? resolve(plan.output_dir, "..");
  const sideFiles: AxolotlSideFile[] = [];

  const datasets = plan.datasets.map((d) =>
    d.type === "alpaca"
      ? { path: d.path, type: "alpaca", ds_type: "json" }
      : {
          path: d.path,
          type: "chat_template",
          ds_type: "json",
          field_messages: d.field_messages,
          message_property_mappings: { role: "role", content: "content" },
          roles_to_train: ["assistant"],
        },
  );

  const config: AxolotlConfig = { base_model: plan.base_model };
  if (plan.chat_template) config.chat_template = plan.chat_template;
  if (plan.special_tokens && Object.keys(plan.special_tokens).length > 0)
    config.special_tokens = plan.special_tokens;
  config.datasets = datasets;
  config.dataset_prepared_path = join(plan.output_dir, "prepared");
  config.val_set_size = h.val_set_size;
  config.output_dir = plan.output_dir;
  config.sequence_len = plan.sequence_len;
  config.sample_packing = h.sample_packing;
  config.micro_batch_size = batch.microBatchSize;
  config.gradient_accumulation_steps = batch.gradientAccumulationSteps;
  config.num_epochs = h.num_epochs;
  if (h.max_steps !== undefined) config.max_steps = h.max_steps;
  config.learning_rate = h.learning_rate;
  config.lr_scheduler = h.lr_scheduler;
  config.warmup_steps = h.warmup_steps;
  config.optimizer = h.optimizer;
  config.weight_decay = h.weight_decay;
  config.max_grad_norm = h.max_grad_norm;
  config.bf16 = h.bf16;
  config.gradient_checkpointing = h.gradient_checkpointing;
  if (plan.attn_implementation) config.attn_implementation = plan.attn_implementation;
  config.seed = plan.seed;
  config.logging_steps = h.logging_steps;
  config.save_strategy = h.save_strategy;
  if (h.save_steps !== undefined) config.save_steps = h.save_steps;
  if (h.val_set_size > 0) config.eval_strategy = h.save_strategy === "no" ? "epoch" : h.save_strategy;
  if (h.val_set_size > 0 && h.save_strategy === "steps" && h.save_steps !== undefined)
    config.eval_steps = h.save_steps;
  if (plan.freeze?.unfrozen_parameters) config.unfrozen_parameters = plan.freeze.unfrozen_parameters;
  if (plan.lora) {
    config.adapter = "lora";
    config.lora_r = plan.lora.r;
    config.lora_alpha = plan.lora.alpha;
    config.lora_dropout = plan.lora.dropout;
    if (plan.lora.target_modules) config.lora_target_modules = plan.lora.target_modules;
    else config.lora_target_linear = true;
  }
  Object.assign(config, launcherKeys(plan, configDir, sideFiles));
  if (options.resumeFromCheckpoint) config.resume_from_checkpoint = options.resumeFromCheckpoint;
  return { config, sideFiles };
}

/** The plans Axolotl cannot run, refused before any key is written. */
function assertAxolotlCanRun(plan: TrainingPlan): void {
  if (plan.base_model.startsWith("init:")) {
    throw new CftkitError(
      "TRAIN_AXOLOTL_UNSUPPORTED",
      `${plan.name}: base_model ${plan.base_model} is a fresh embedded model; the Axolotl backend needs a model folder or a Hugging Face id`,
    );
  }
  if (plan.freeze && plan.lora) {
    throw new CftkitError(
      "TRAIN_FREEZE_WITH_LORA",
      `${plan.name}: unfrozen_parameters and LoRA cannot be combined (Axolotl prefixes names with base_model.model. under LoRA)`,
    );
  }
  if (plan.freeze && !plan.freeze.unfrozen_parameters) {
    throw new CftkitError(
      "TRAIN_FREEZE_SELECTION_MISSING",
      `${plan.name}: the freeze selection ${plan.freeze.source} has not been read yet (does the file exist? run \`cftkit freeze …\` first)`,
    );
  }
}

/** DeepSpeed and FSDP keys from the plan's launcher (a DeepSpeed preset becomes a side file in configDir). */
function launcherKeys(plan: TrainingPlan, configDir: string, sideFiles: AxolotlSideFile[]): AxolotlConfig {
  const l = plan.launcher;
  const config: AxolotlConfig = {};
  if (l.deepspeed) {
    if ((DEEPSPEED_PRESETS as readonly string[]).includes(l.deepspeed)) {
      const path = join(configDir, `deepspeed_${l.deepspeed}.json`);
      sideFiles.push({
        path,
        content: `${JSON.stringify(deepSpeedPreset(l.deepspeed as DeepSpeedPreset, plan.hyperparameters.bf16), null, 2)}\n`,
      });
      config.deepspeed = path;
    } else {
      // Your own DeepSpeed json: the experiment resolved it against its own folder and checked it exists.
      config.deepspeed = l.deepspeed;
    }
  }
  if (l.fsdp) {
    const cls = l.fsdp.transformer_layer_cls_to_wrap ?? guessDecoderLayerClass(plan.base_model);
    if (!cls) {
      throw new CftkitError(
        "TRAIN_FSDP_LAYER_CLASS",
        `${plan.name}: cannot guess the decoder-layer class of ${plan.base_model} for FSDP; set launcher.fsdp.transformer_layer_cls_to_wrap`,
      );
    }
    config.fsdp_version = 2;
    const fsdp: Record<string, unknown> = {
      offload_params: l.fsdp.offload_params,
      cpu_ram_efficient_loading: l.fsdp.cpu_ram_efficient_loading,
      auto_wrap_policy: "TRANSFORMER_BASED_WRAP",
      transformer_layer_cls_to_wrap: cls,
      state_dict_type: l.fsdp.state_dict_type,
      reshard_after_forward: l.fsdp.reshard_after_forward,
    };
    if (l.fsdp.activation_checkpointing !== undefined)
      fsdp.activation_checkpointing = l.fsdp.activation_checkpointing;
    config.fsdp_config = fsdp;
  }
  return config;
}

/**
 * The config as YAML text, with a header saying where it came from. Header lines go through `printable`:
 * PyYAML also breaks lines at \r, \x85 and U+2028, so a raw one in a path would start a YAML key.
 */
export function axolotlConfigToYaml(config: AxolotlConfig, header?: string): string {
  const head = header
    ? `${header
        .split("\n")
        .map((l) => `# ${printable(l)}`.trimEnd())
        .join("\n")}\n`
    : "";
  return head + stringifyForPython(config);
}
