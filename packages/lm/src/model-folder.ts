/**
 * Reading and writing Hugging Face model folders: weights checked against the config (names, shapes,
 * dtypes), and complete folders written (config.json, model.safetensors, generation_config.json, tokenizer).
 */
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CftkitError, writeFileAtomic, writeJsonAtomic } from "@cftkit/core";
import {
  SafetensorsCheckpoint,
  type TensorInfo,
  writeSafetensors,
  writeShardedSafetensors,
} from "@cftkit/safetensors";
import { type ModelConfig, type ParameterSpec, modelConfigToJson, parameterSpecs } from "./model-config.js";
import type { Tokenizer } from "./tokenizer.js";

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const WEIGHT_DTYPES = new Set(["F32", "BF16", "F16"]);

/** Names a checkpoint may carry that the model does not use (ignored). */
function isIgnorable(name: string): boolean {
  return name.endsWith("rotary_emb.inv_freq");
}

/**
 * Where parameter `spec` lives in the checkpoint, after checking it is there with the config's shape and a
 * float dtype (typed errors naming the tensor).
 */
export function checkedTensorInfo(ckpt: SafetensorsCheckpoint, dir: string, spec: ParameterSpec): TensorInfo {
  if (!ckpt.has(spec.name))
    throw new CftkitError(
      "LM_MISSING_TENSOR",
      `${dir}: tensor "${spec.name}" (shape [${spec.shape.join(", ")}]) is missing from the checkpoint`,
      { details: { tensor: spec.name, dir } },
    );
  const info = ckpt.info(spec.name);
  if (!WEIGHT_DTYPES.has(info.dtype))
    throw new CftkitError(
      "LM_WEIGHT_DTYPE",
      `${info.file}: tensor "${spec.name}" has dtype ${info.dtype}; weights must be F32, BF16 or F16`,
      { details: { tensor: spec.name, dtype: info.dtype } },
    );
  const same = info.shape.length === spec.shape.length && info.shape.every((d, i) => d === spec.shape[i]);
  if (!same)
    throw new CftkitError(
      "LM_SHAPE_MISMATCH",
      `${info.file}: tensor "${spec.name}" has shape [${info.shape.join(", ")}], config.json implies [${spec.shape.join(", ")}]`,
      { details: { tensor: spec.name, shape: info.shape, expected: spec.shape } },
    );
  return info;
}

/**
 * Read every parameter the config needs from the folder's safetensors (single or sharded), as float32.
 * Missing tensors, wrong shapes and non-float dtypes are typed errors naming the tensor.
 */
export async function readModelWeights(dir: string, config: ModelConfig): Promise<NamedTensor[]> {
  const ckpt = await SafetensorsCheckpoint.open(dir);
  try {
    const out: NamedTensor[] = [];
    for (const spec of parameterSpecs(config)) {
      checkedTensorInfo(ckpt, dir, spec);
      out.push({ name: spec.name, shape: spec.shape, data: await ckpt.readTensor(spec.name) });
    }
    const known = new Set(parameterSpecs(config).map((s) => s.name));
    if (config.tieWordEmbeddings) known.add("lm_head.weight");
    const layerRe = /^model\.layers\.(\d+)\./;
    for (const t of ckpt.tensors) {
      if (known.has(t.name) || isIgnorable(t.name)) continue;
      const m = layerRe.exec(t.name);
      if (m && Number(m[1]) >= config.numHiddenLayers)
        throw new CftkitError(
          "LM_SHAPE_MISMATCH",
          `${t.file}: tensor "${t.name}" belongs to layer ${m[1]}, but config.json has num_hidden_layers=${config.numHiddenLayers}`,
          { details: { tensor: t.name } },
        );
    }
    return out;
  } finally {
    await ckpt.close();
  }
}

export interface WriteModelFolderOptions {
  config: ModelConfig;
  tensors: NamedTensor[];
  tokenizer?: Tokenizer | null;
  /** generation_config.json content; default derived from the config and tokenizer. */
  generationConfig?: Record<string, unknown> | null;
  /** Storage dtype of the weights (default F32). */
  dtype?: "F32" | "BF16";
  /** Split into shards of at most this many bytes (default: one model.safetensors). */
  maxShardBytes?: number;
  /** Extra __metadata__ for the safetensors file(s). */
  metadata?: Record<string, string>;
}

async function existsDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Default generation_config.json for a config (+ tokenizer). */
export function defaultGenerationConfig(
  config: ModelConfig,
  tokenizer?: Tokenizer | null,
): Record<string, unknown> {
  const eos = new Set<number>();
  const cfgEos = config.eosTokenId;
  if (Array.isArray(cfgEos)) for (const e of cfgEos) eos.add(e);
  else if (typeof cfgEos === "number") eos.add(cfgEos);
  if (tokenizer?.eosTokenId !== null && tokenizer?.eosTokenId !== undefined) eos.add(tokenizer.eosTokenId);
  const out: Record<string, unknown> = {
    _from_model_config: false,
    transformers_version: "4.46.0",
    do_sample: false,
  };
  const bos = config.bosTokenId ?? tokenizer?.bosTokenId ?? null;
  if (bos !== null) out.bos_token_id = bos;
  const eosList = [...eos];
  if (eosList.length > 0) out.eos_token_id = eosList.length === 1 ? eosList[0] : eosList;
  const pad = config.padTokenId ?? tokenizer?.padTokenId ?? null;
  if (pad !== null) out.pad_token_id = pad;
  return out;
}

/**
 * Write a complete HF model folder. A new folder is built beside the target and renamed into place (so
 * it appears complete or not at all); an existing folder keeps its other files and gets each file replaced
 * atomically, weights first and config.json last.
 */
export async function writeModelFolder(dir: string, options: WriteModelFolderOptions): Promise<void> {
  const target = resolve(dir);
  const fresh = !(await existsDir(target));
  const work = fresh
    ? join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now()}`)
    : target;
  await mkdir(work, { recursive: true });
  try {
    const dtype = options.dtype ?? "F32";
    const tensors = options.tensors.map((t) => ({ name: t.name, dtype, shape: t.shape, data: t.data }));
    const metadata = { format: "pt", ...(options.metadata ?? {}) };
    if (!fresh) {
      // Remove a stale layout of the other kind so loaders do not pick it up.
      for (const stale of options.maxShardBytes ? ["model.safetensors"] : ["model.safetensors.index.json"])
        await rm(join(work, stale), { force: true });
    }
    if (options.maxShardBytes)
      await writeShardedSafetensors(work, tensors, { maxShardBytes: options.maxShardBytes, metadata });
    else await writeSafetensors(join(work, "model.safetensors"), tensors, metadata);
    const tok = options.tokenizer ?? null;
    if (tok)
      for (const [name, text] of Object.entries(tok.files)) await writeFileAtomic(join(work, name), text);
    const gen = options.generationConfig ?? defaultGenerationConfig(options.config, tok);
    await writeJsonAtomic(join(work, "generation_config.json"), gen);
    await writeJsonAtomic(
      join(work, "config.json"),
      modelConfigToJson(options.config, dtype === "BF16" ? "bfloat16" : "float32"),
    );
    if (fresh) await rename(work, target);
  } catch (error) {
    if (fresh) await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** Read `<dir>/generation_config.json` if present. */
export async function readGenerationConfig(dir: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(join(dir, "generation_config.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}
