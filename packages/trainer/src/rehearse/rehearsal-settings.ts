import { resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { LoraOptions, LrSchedulerName } from "@cftkit/lm";
import type { PlanDataset } from "../training-plan.js";

/** What `cftkit train rehearse` takes from an Axolotl config (Axolotl's defaults filled in). */
export interface RehearsalSettings {
  baseModel: string;
  datasets: PlanDataset[];
  valSetSize: number;
  outputDir: string;
  sequenceLen: number;
  microBatchSize: number;
  gradientAccumulationSteps: number;
  numEpochs: number;
  maxSteps?: number;
  learningRate: number;
  lrScheduler: LrSchedulerName;
  warmupSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  seed: number;
  loggingSteps: number;
  save: { strategy: "steps" | "epoch" | "no"; steps?: number; perEpoch?: number; totalLimit?: number };
  evalSteps?: number;
  unfrozenParameters?: string[];
  lora?: LoraOptions;
  /** `resume_from_checkpoint` / `auto_resume_from_checkpoints`: continue from the newest checkpoint. */
  resume: boolean;
}

export interface ParsedRehearsal {
  settings: RehearsalSettings;
  /** Keys (or `key: value`) the embedded trainer cannot honour. */
  unsupported: string[];
  /** Keys that only concern GPUs (precision, memory, distribution): the CPU rehearsal leaves them out. */
  hardwareOnly: string[];
}

/** Keys that change how a GPU run uses memory or devices, not what is learned. */
const HARDWARE_ONLY = new Set([
  "bf16",
  "fp16",
  "tf32",
  "gradient_checkpointing",
  "flash_attention",
  "sdp_attention",
  "attn_implementation",
  "deepspeed",
  "fsdp_config",
  "fsdp_version",
  "dataset_prepared_path",
  "strict",
  "ddp_timeout",
  "dataloader_num_workers",
]);

/** Keys read below; anything else present in the config is unsupported. */
const HONOURED = new Set([
  "base_model",
  "datasets",
  "val_set_size",
  "output_dir",
  "sequence_len",
  "micro_batch_size",
  "gradient_accumulation_steps",
  "num_epochs",
  "max_steps",
  "learning_rate",
  "lr_scheduler",
  "warmup_steps",
  "optimizer",
  "weight_decay",
  "max_grad_norm",
  "seed",
  "logging_steps",
  "save_strategy",
  "save_steps",
  "saves_per_epoch",
  "save_total_limit",
  "eval_strategy",
  "eval_steps",
  "unfrozen_parameters",
  "adapter",
  "lora_r",
  "lora_alpha",
  "lora_dropout",
  "lora_target_linear",
  "lora_target_modules",
  "resume_from_checkpoint",
  "auto_resume_from_checkpoints",
  "sample_packing",
  "load_in_8bit",
  "load_in_4bit",
  "chat_template",
]);

/** Every top-level key the rehearsal knows (tests check each is a real Axolotl key). */
export const REHEARSAL_KNOWN_KEYS: readonly string[] = [...HONOURED, ...HARDWARE_ONLY];

const DATASET_KEYS = new Set([
  "path",
  "type",
  "ds_type",
  "field_messages",
  "message_property_mappings",
  "roles_to_train",
]);
const ADAMW = new Set(["adamw_torch", "adamw_torch_fused"]);
const SCHEDULERS: Record<string, LrSchedulerName> = {
  cosine: "cosine",
  linear: "linear",
  constant_with_warmup: "constant",
};

function bad(key: string, why: string): never {
  throw new CftkitError("TRAIN_REHEARSE_CONFIG", `${key}: ${why}`, { details: { key } });
}
function num(c: Record<string, unknown>, key: string, fallback: number, integer = false): number {
  const v = c[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
    bad(key, `expected ${integer ? "an integer" : "a number"}, got ${JSON.stringify(v)}`);
  return v;
}

function readDatasets(c: Record<string, unknown>, unsupported: string[]): PlanDataset[] {
  const list = c.datasets;
  if (!Array.isArray(list) || list.length === 0) bad("datasets", "expected a non-empty list");
  return list.map((entry, i): PlanDataset => {
    const d = (entry ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(d)) if (!DATASET_KEYS.has(k)) unsupported.push(`datasets[${i}].${k}`);
    if (typeof d.path !== "string") bad(`datasets[${i}].path`, "expected a local file path");
    if (d.ds_type !== undefined && d.ds_type !== "json")
      unsupported.push(`datasets[${i}].ds_type: ${String(d.ds_type)}`);
    const roles = d.roles_to_train;
    if (roles !== undefined && JSON.stringify(roles) !== '["assistant"]')
      unsupported.push(`datasets[${i}].roles_to_train: ${JSON.stringify(roles)}`);
    const mapping = (d.message_property_mappings ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mapping))
      if (
        !(
          (k === "role" && (v === "role" || v === "from")) ||
          (k === "content" && (v === "content" || v === "value"))
        )
      )
        unsupported.push(`datasets[${i}].message_property_mappings.${k}: ${String(v)}`);
    if (d.type !== "alpaca" && d.type !== "chat_template") {
      unsupported.push(`datasets[${i}].type: ${String(d.type)}`);
      return { path: resolve(d.path), type: "alpaca", field_messages: "messages" } as PlanDataset;
    }
    return {
      path: resolve(d.path),
      type: d.type,
      field_messages: typeof d.field_messages === "string" ? d.field_messages : "messages",
    } as PlanDataset;
  });
}

function readLora(c: Record<string, unknown>, unsupported: string[]): LoraOptions | undefined {
  if (c.adapter === undefined || c.adapter === null) return undefined;
  if (c.adapter !== "lora") {
    unsupported.push(`adapter: ${String(c.adapter)}`);
    return undefined;
  }
  const modules = c.lora_target_modules;
  const targets =
    c.lora_target_linear === true
      ? ["all-linear"]
      : Array.isArray(modules) && modules.every((m) => typeof m === "string")
        ? (modules as string[])
        : bad("lora_target_modules", "LoRA needs lora_target_linear: true or a list of module names");
  return {
    r: num(c, "lora_r", 8, true),
    alpha: num(c, "lora_alpha", 16),
    dropout: num(c, "lora_dropout", 0),
    targetModules: targets,
  };
}

/**
 * Read an Axolotl config (the parsed YAML) into rehearsal settings with Axolotl's defaults, listing every
 * key or value the embedded CPU trainer cannot honour and the GPU-only keys it leaves out.
 */
export function parseRehearsalConfig(config: Record<string, unknown>): ParsedRehearsal {
  const unsupported: string[] = [];
  const hardwareOnly: string[] = [];
  for (const key of Object.keys(config)) {
    if (HARDWARE_ONLY.has(key)) hardwareOnly.push(key);
    else if (!HONOURED.has(key)) unsupported.push(key);
  }
  const c = config;
  if (typeof c.base_model !== "string") bad("base_model", "expected a local model folder");
  if (typeof c.learning_rate !== "number") bad("learning_rate", "expected a number");
  if (c.sample_packing === true) unsupported.push("sample_packing: true");
  if (c.load_in_8bit === true) unsupported.push("load_in_8bit: true");
  if (c.load_in_4bit === true) unsupported.push("load_in_4bit: true");
  if (c.chat_template !== undefined && c.chat_template !== "tokenizer_default")
    unsupported.push(`chat_template: ${String(c.chat_template)}`);
  const optimizer = c.optimizer ?? "adamw_torch_fused";
  if (!ADAMW.has(String(optimizer))) unsupported.push(`optimizer: ${String(optimizer)}`);
  const schedulerName = String(c.lr_scheduler ?? "cosine");
  const lrScheduler = SCHEDULERS[schedulerName];
  if (!lrScheduler) unsupported.push(`lr_scheduler: ${schedulerName}`);
  const saveStrategy = c.save_strategy ?? (c.saves_per_epoch || c.save_steps ? "steps" : "epoch");
  if (saveStrategy !== "steps" && saveStrategy !== "epoch" && saveStrategy !== "no")
    unsupported.push(`save_strategy: ${String(saveStrategy)}`);
  const settings: RehearsalSettings = {
    baseModel: resolve(c.base_model),
    datasets: readDatasets(c, unsupported),
    valSetSize: num(c, "val_set_size", 0),
    outputDir: resolve(typeof c.output_dir === "string" ? c.output_dir : "./model-out"),
    sequenceLen: num(c, "sequence_len", 512, true),
    microBatchSize: num(c, "micro_batch_size", 1, true),
    gradientAccumulationSteps: num(c, "gradient_accumulation_steps", 1, true),
    numEpochs: num(c, "num_epochs", 1),
    learningRate: c.learning_rate,
    lrScheduler: lrScheduler ?? "cosine",
    warmupSteps: num(c, "warmup_steps", 0, true),
    weightDecay: num(c, "weight_decay", 0),
    maxGradNorm: num(c, "max_grad_norm", 1),
    seed: num(c, "seed", 42, true),
    loggingSteps: num(c, "logging_steps", 1, true),
    save: {
      strategy: saveStrategy as RehearsalSettings["save"]["strategy"],
      ...(c.save_steps !== undefined ? { steps: num(c, "save_steps", 1, true) } : {}),
      ...(c.saves_per_epoch !== undefined ? { perEpoch: num(c, "saves_per_epoch", 1, true) } : {}),
      ...(c.save_total_limit !== undefined ? { totalLimit: num(c, "save_total_limit", 1, true) } : {}),
    },
    resume: Boolean(c.resume_from_checkpoint) || c.auto_resume_from_checkpoints === true,
  };
  if (c.max_steps !== undefined && c.max_steps !== null) settings.maxSteps = num(c, "max_steps", 1, true);
  if (c.eval_steps !== undefined) settings.evalSteps = num(c, "eval_steps", 1, true);
  const patterns = c.unfrozen_parameters;
  if (patterns !== undefined && patterns !== null) {
    if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === "string"))
      bad("unfrozen_parameters", "expected a list of patterns");
    settings.unfrozenParameters = patterns as string[];
  }
  const lora = readLora(c, unsupported);
  if (lora) settings.lora = lora;
  return { settings, unsupported, hardwareOnly };
}
