/**
 * Hugging Face `config.json` for the Llama family (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM),
 * parsed into one normalised `ModelConfig`, plus the parameter names and shapes such a model has.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CftkitError, type CftkitErrorCode } from "@cftkit/core";

export type ModelType = "llama" | "mistral" | "qwen2";

export type RopeScaling =
  | { type: "linear"; factor: number }
  | { type: "dynamic"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

export interface ModelConfig {
  architecture: "LlamaForCausalLM" | "MistralForCausalLM" | "Qwen2ForCausalLM";
  modelType: ModelType;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: RopeScaling | null;
  vocabSize: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (Qwen2 always; Llama when attention_bias). */
  qkvBias: boolean;
  /** o_proj carries a bias (Llama attention_bias). */
  oBias: boolean;
  /** gate/up/down projections carry a bias (Llama mlp_bias). */
  mlpBias: boolean;
  maxPositionEmbeddings: number;
  /** Sliding-window attention span, or null for full causal attention. */
  slidingWindow: number | null;
  initializerRange: number;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
  /** The raw config.json object (kept so `save` can write back keys we do not model). */
  raw: Record<string, unknown>;
}

const ARCHITECTURES: Record<string, ModelType> = {
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "mistral",
  Qwen2ForCausalLM: "qwen2",
};

function bad(code: CftkitErrorCode, message: string, source: string): CftkitError {
  return new CftkitError(code, `${source}: ${message}`, { details: { source } });
}

function requireInt(raw: Record<string, unknown>, key: string, source: string): number {
  const v = raw[key];
  if (v === undefined || v === null)
    throw bad("LM_CONFIG_MISSING_KEY", `missing required key "${key}"`, source);
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw bad("LM_CONFIG_BAD_VALUE", `"${key}" must be a positive integer, got ${JSON.stringify(v)}`, source);
  return v;
}

function optionalNumber(raw: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const v = raw[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw bad("LM_CONFIG_BAD_VALUE", `"${key}" must be a number, got ${JSON.stringify(v)}`, source);
  return v;
}

function optionalTokenId(raw: Record<string, unknown>, key: string): number | null {
  const v = raw[key];
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

function parseRopeScaling(value: unknown, source: string, maxPos: number): RopeScaling | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") throw bad("LM_CONFIG_BAD_VALUE", `"rope_scaling" must be an object`, source);
  const rs = value as Record<string, unknown>;
  const type = (rs.rope_type ?? rs.type) as string | undefined;
  if (type === "default") return null;
  const factor = rs.factor;
  if (typeof factor !== "number" || !(factor > 0))
    throw bad("LM_CONFIG_BAD_VALUE", `"rope_scaling.factor" must be a positive number`, source);
  if (type === "linear") return { type: "linear", factor };
  if (type === "dynamic") return { type: "dynamic", factor };
  if (type === "llama3") {
    const num = (k: string, d?: number): number => {
      const v = rs[k] ?? d;
      if (typeof v !== "number" || !Number.isFinite(v))
        throw bad("LM_CONFIG_MISSING_KEY", `"rope_scaling.${k}" is required for llama3 scaling`, source);
      return v;
    };
    return {
      type: "llama3",
      factor,
      lowFreqFactor: num("low_freq_factor"),
      highFreqFactor: num("high_freq_factor"),
      originalMaxPositionEmbeddings: num("original_max_position_embeddings", maxPos),
    };
  }
  throw bad(
    "LM_UNSUPPORTED_ROPE_SCALING",
    `rope_scaling type ${JSON.stringify(type)} is not supported (supported: linear, dynamic, llama3)`,
    source,
  );
}

/** Parse a config.json object. `source` names the file in error messages. */
export function parseModelConfig(raw: unknown, source = "config.json"): ModelConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw bad("LM_CONFIG_INVALID", "config must be a JSON object", source);
  const obj = raw as Record<string, unknown>;
  const archs = obj.architectures;
  let architecture: string | undefined;
  if (Array.isArray(archs) && archs.length > 0) architecture = String(archs[0]);
  else if (typeof obj.model_type === "string") {
    const byType: Record<string, string> = {
      llama: "LlamaForCausalLM",
      mistral: "MistralForCausalLM",
      qwen2: "Qwen2ForCausalLM",
    };
    architecture = byType[obj.model_type];
    if (!architecture)
      throw bad(
        "LM_UNSUPPORTED_ARCHITECTURE",
        `model_type "${obj.model_type}" is not supported (llama, mistral, qwen2)`,
        source,
      );
  } else throw bad("LM_CONFIG_MISSING_KEY", `missing "architectures" (and "model_type")`, source);
  const modelType = ARCHITECTURES[architecture];
  if (!modelType)
    throw bad(
      "LM_UNSUPPORTED_ARCHITECTURE",
      `architecture "${architecture}" is not supported (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)`,
      source,
    );
  const hiddenSize = requireInt(obj, "hidden_size", source);
  const intermediateSize = requireInt(obj, "intermediate_size", source);
  const numHiddenLayers = requireInt(obj, "num_hidden_layers", source);
  const numAttentionHeads = requireInt(obj, "num_attention_heads", source);
  const numKeyValueHeads =
    obj.num_key_value_heads === undefined || obj.num_key_value_heads === null
      ? numAttentionHeads
      : requireInt(obj, "num_key_value_heads", source);
  const vocabSize = requireInt(obj, "vocab_size", source);
  if (numAttentionHeads % numKeyValueHeads !== 0)
    throw bad(
      "LM_CONFIG_BAD_VALUE",
      `num_attention_heads (${numAttentionHeads}) must be a multiple of num_key_value_heads (${numKeyValueHeads})`,
      source,
    );
  let headDim: number;
  if (obj.head_dim !== undefined && obj.head_dim !== null) headDim = requireInt(obj, "head_dim", source);
  else {
    if (hiddenSize % numAttentionHeads !== 0)
      throw bad(
        "LM_CONFIG_BAD_VALUE",
        `hidden_size (${hiddenSize}) is not divisible by num_attention_heads`,
        source,
      );
    headDim = hiddenSize / numAttentionHeads;
  }
  if (headDim % 2 !== 0)
    throw bad("LM_CONFIG_BAD_VALUE", `head_dim (${headDim}) must be even for RoPE`, source);
  const maxPositionEmbeddings = optionalNumber(obj, "max_position_embeddings", 2048, source);
  const hiddenAct = obj.hidden_act ?? "silu";
  if (hiddenAct !== "silu")
    throw bad("LM_CONFIG_BAD_VALUE", `hidden_act "${String(hiddenAct)}" is not supported (silu)`, source);
  const attentionBias = obj.attention_bias === true;
  let slidingWindow: number | null = null;
  if (typeof obj.sliding_window === "number") {
    if (modelType === "mistral") slidingWindow = obj.sliding_window;
    if (modelType === "qwen2" && obj.use_sliding_window === true) slidingWindow = obj.sliding_window;
  }
  const ropeParameters =
    typeof obj.rope_parameters === "object" &&
    obj.rope_parameters !== null &&
    !Array.isArray(obj.rope_parameters)
      ? (obj.rope_parameters as Record<string, unknown>)
      : undefined;
  return {
    architecture: architecture as ModelConfig["architecture"],
    modelType,
    hiddenSize,
    intermediateSize,
    numHiddenLayers,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: optionalNumber(obj, "rms_norm_eps", 1e-6, source),
    // transformers ≥ 5 writes `rope_parameters` ({rope_type, rope_theta, …scaling keys}) instead of
    // `rope_theta` + `rope_scaling`; read both layouts.
    ropeTheta: optionalNumber(
      ropeParameters ?? obj,
      "rope_theta",
      optionalNumber(obj, "rope_theta", 10000, source),
      source,
    ),
    ropeScaling: parseRopeScaling(obj.rope_scaling ?? ropeParameters, source, maxPositionEmbeddings),
    vocabSize,
    tieWordEmbeddings: obj.tie_word_embeddings === true,
    qkvBias: modelType === "qwen2" ? true : attentionBias,
    oBias: modelType === "qwen2" ? false : attentionBias,
    mlpBias: obj.mlp_bias === true,
    maxPositionEmbeddings,
    slidingWindow,
    initializerRange: optionalNumber(obj, "initializer_range", 0.02, source),
    bosTokenId: optionalTokenId(obj, "bos_token_id"),
    eosTokenId: Array.isArray(obj.eos_token_id)
      ? (obj.eos_token_id as unknown[]).filter((x): x is number => typeof x === "number")
      : optionalTokenId(obj, "eos_token_id"),
    padTokenId: optionalTokenId(obj, "pad_token_id"),
    raw: { ...obj },
  };
}

/** Read and parse `<dir>/config.json`. */
export async function readModelConfig(dir: string): Promise<ModelConfig> {
  const path = join(dir, "config.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CftkitError(
      "LM_CONFIG_NOT_FOUND",
      `${path}: cannot read config.json (${(error as Error).message})`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CftkitError("LM_CONFIG_INVALID", `${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  return parseModelConfig(raw, path);
}

/** The config.json object HF transformers expects for this config. */
export function modelConfigToJson(
  config: ModelConfig,
  torchDtype: "float32" | "bfloat16",
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config.raw };
  out.architectures = [config.architecture];
  out.model_type = config.modelType;
  out.hidden_size = config.hiddenSize;
  out.intermediate_size = config.intermediateSize;
  out.num_hidden_layers = config.numHiddenLayers;
  out.num_attention_heads = config.numAttentionHeads;
  out.num_key_value_heads = config.numKeyValueHeads;
  out.head_dim = config.headDim;
  out.hidden_act = "silu";
  out.rms_norm_eps = config.rmsNormEps;
  out.rope_theta = config.ropeTheta;
  out.rope_scaling = ropeScalingToJson(config.ropeScaling);
  out.vocab_size = config.vocabSize;
  out.tie_word_embeddings = config.tieWordEmbeddings;
  out.max_position_embeddings = config.maxPositionEmbeddings;
  out.initializer_range = config.initializerRange;
  if (config.modelType === "llama") {
    out.attention_bias = config.qkvBias;
    out.mlp_bias = config.mlpBias;
  }
  if (config.bosTokenId !== null) out.bos_token_id = config.bosTokenId;
  if (config.eosTokenId !== null) out.eos_token_id = config.eosTokenId;
  if (config.padTokenId !== null) out.pad_token_id = config.padTokenId;
  out.torch_dtype = torchDtype;
  out.use_cache = true;
  if (out.transformers_version === undefined) out.transformers_version = "4.46.0";
  return out;
}

function ropeScalingToJson(rs: RopeScaling | null): Record<string, unknown> | null {
  if (!rs) return null;
  if (rs.type === "llama3")
    return {
      rope_type: "llama3",
      factor: rs.factor,
      low_freq_factor: rs.lowFreqFactor,
      high_freq_factor: rs.highFreqFactor,
      original_max_position_embeddings: rs.originalMaxPositionEmbeddings,
    };
  return { rope_type: rs.type, type: rs.type, factor: rs.factor };
}

export interface ParameterSpec {
  name: string;
  shape: number[];
  /** "norm" parameters initialise to 1, "bias" to 0, "matrix" to normal(0, initializer_range). */
  init: "matrix" | "norm" | "bias";
}

/** Every parameter a model with this config has, in HF order and naming. */
export function parameterSpecs(config: ModelConfig): ParameterSpec[] {
  const h = config.hiddenSize;
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const f = config.intermediateSize;
  const specs: ParameterSpec[] = [
    { name: "model.embed_tokens.weight", shape: [config.vocabSize, h], init: "matrix" },
  ];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `model.layers.${i}`;
    const lin = (name: string, out: number, inp: number, bias: boolean): void => {
      specs.push({ name: `${p}.${name}.weight`, shape: [out, inp], init: "matrix" });
      if (bias) specs.push({ name: `${p}.${name}.bias`, shape: [out], init: "bias" });
    };
    specs.push({ name: `${p}.input_layernorm.weight`, shape: [h], init: "norm" });
    lin("self_attn.q_proj", q, h, config.qkvBias);
    lin("self_attn.k_proj", kv, h, config.qkvBias);
    lin("self_attn.v_proj", kv, h, config.qkvBias);
    lin("self_attn.o_proj", h, q, config.oBias);
    specs.push({ name: `${p}.post_attention_layernorm.weight`, shape: [h], init: "norm" });
    lin("mlp.gate_proj", f, h, config.mlpBias);
    lin("mlp.up_proj", f, h, config.mlpBias);
    lin("mlp.down_proj", h, f, config.mlpBias);
  }
  specs.push({ name: "model.norm.weight", shape: [h], init: "norm" });
  if (!config.tieWordEmbeddings)
    specs.push({ name: "lm_head.weight", shape: [config.vocabSize, h], init: "matrix" });
  return specs;
}

/** Total number of parameters (tied embeddings counted once). */
export function parameterCount(config: ModelConfig): number {
  return parameterSpecs(config).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

export type ModelPreset = "tiny" | "mini" | "small" | "medium" | "large";

/** Configs for fresh models (`cftkit lm init`), vocabulary = the byte-level tokenizer's 260 ids. */
export function presetConfig(
  preset: ModelPreset,
  vocabSize: number,
  special: { bos: number; eos: number[] },
): ModelConfig {
  const base = {
    tiny: { hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 172 },
    mini: { hidden: 128, layers: 4, heads: 4, kvHeads: 2, intermediate: 344 },
    small: { hidden: 256, layers: 4, heads: 8, kvHeads: 4, intermediate: 688 },
    medium: { hidden: 512, layers: 8, heads: 8, kvHeads: 4, intermediate: 1376 },
    large: { hidden: 768, layers: 4, heads: 12, kvHeads: 6, intermediate: 2048 },
  }[preset];
  if (!base)
    throw new CftkitError(
      "LM_UNKNOWN_PRESET",
      `unknown preset "${preset}" (tiny, mini, small, medium, large)`,
    );
  const raw: Record<string, unknown> = {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: base.hidden,
    intermediate_size: base.intermediate,
    num_hidden_layers: base.layers,
    num_attention_heads: base.heads,
    num_key_value_heads: base.kvHeads,
    head_dim: base.hidden / base.heads,
    hidden_act: "silu",
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: null,
    vocab_size: vocabSize,
    tie_word_embeddings: false,
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    max_position_embeddings: 2048,
    initializer_range: 0.02,
    bos_token_id: special.bos,
    eos_token_id: special.eos.length === 1 ? special.eos[0] : special.eos,
    pad_token_id: special.eos[0],
    pretraining_tp: 1,
  };
  return parseModelConfig(raw, `preset:${preset}`);
}
