import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";

/**
 * What a sentence-transformers folder declares after its Transformer module (`modules.json`): the pooling
 * (`1_Pooling/config.json`), optional Dense layers (`2_Dense/config.json` + weights) and Normalize. Applying
 * them to the transformer's token outputs embeds as sentence-transformers does — LaBSE is CLS token →
 * Dense(768→768, tanh) → L2 normalise, not mean pooling (docs/semantics.md, "DES encoder").
 */
export interface SentenceTransformersLayout {
  pooling: PoolingConfig;
  dense: DenseLayer[];
  normalize: boolean;
  /** sentence_bert_config.json's max_seq_length (tokens kept per text), when given. */
  maxSeqLength?: number;
  /** The modules in order, as read (for the encoder's id and the run records). */
  modules: string[];
}

/** Pooling modes in the order sentence-transformers concatenates them. */
export const POOLING_MODES = ["cls", "max", "mean", "mean_sqrt_len", "weightedmean", "lasttoken"] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

export interface PoolingConfig {
  modes: PoolingMode[];
  /** Whether prompt tokens take part in pooling; cftkit never prepends a prompt, so it has no effect here. */
  includePrompt: boolean;
}

export interface DenseLayer {
  inFeatures: number;
  outFeatures: number;
  /** Row-major [out, in], as `linear.weight` is stored. */
  weight: Float32Array;
  bias: Float32Array | null;
  activation: "tanh" | "identity" | "relu" | "sigmoid";
}

const ACTIVATIONS: Record<string, DenseLayer["activation"]> = {
  "torch.nn.modules.activation.Tanh": "tanh",
  "torch.nn.modules.linear.Identity": "identity",
  "torch.nn.modules.activation.ReLU": "relu",
  "torch.nn.modules.activation.Sigmoid": "sigmoid",
};

interface ModuleEntry {
  idx?: number;
  path: string;
  type: string;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (error) {
    throw new CftkitError("ENCODER_BAD_FOLDER", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The folder's layout, or null when it has no modules.json (not a sentence-transformers folder). */
export async function readSentenceTransformersLayout(
  dir: string,
): Promise<SentenceTransformersLayout | null> {
  const modulesPath = join(dir, "modules.json");
  if (!existsSync(modulesPath)) return null;
  const entries = readJson<ModuleEntry[]>(modulesPath);
  const layout: SentenceTransformersLayout = {
    pooling: { modes: ["mean"], includePrompt: true },
    dense: [],
    normalize: false,
    modules: [],
  };
  let sawPooling = false;
  for (const entry of entries) {
    const kind = entry.type.split(".").pop() ?? entry.type;
    const folder = join(dir, entry.path);
    layout.modules.push(kind);
    if (kind === "Transformer") {
      const config = join(folder, "sentence_bert_config.json");
      if (existsSync(config)) {
        const max = readJson<{ max_seq_length?: number }>(config).max_seq_length;
        if (typeof max === "number") layout.maxSeqLength = max;
      }
    } else if (kind === "Pooling") {
      layout.pooling = readPooling(join(folder, "config.json"));
      sawPooling = true;
    } else if (kind === "Dense") layout.dense.push(await readDense(folder));
    else if (kind === "Normalize") layout.normalize = true;
    else {
      throw new CftkitError(
        "ENCODER_UNSUPPORTED_MODULE",
        `${modulesPath}: module ${entry.type} is not supported (supported: Transformer, Pooling, Dense, Normalize)`,
      );
    }
  }
  if (!sawPooling) {
    throw new CftkitError("ENCODER_BAD_FOLDER", `${modulesPath} lists no Pooling module`);
  }
  return layout;
}

function readPooling(path: string): PoolingConfig {
  const c = readJson<Record<string, unknown>>(path);
  const flag = (key: string) => c[key] === true;
  const modes: PoolingMode[] = [];
  if (flag("pooling_mode_cls_token")) modes.push("cls");
  if (flag("pooling_mode_max_tokens")) modes.push("max");
  if (flag("pooling_mode_mean_tokens")) modes.push("mean");
  if (flag("pooling_mode_mean_sqrt_len_tokens")) modes.push("mean_sqrt_len");
  if (flag("pooling_mode_weightedmean_tokens")) modes.push("weightedmean");
  if (flag("pooling_mode_lasttoken")) modes.push("lasttoken");
  if (modes.length === 0) throw new CftkitError("ENCODER_BAD_FOLDER", `${path}: no pooling mode is on`);
  return { modes, includePrompt: c.include_prompt !== false };
}

async function readDense(folder: string): Promise<DenseLayer> {
  const c = readJson<{
    in_features: number;
    out_features: number;
    bias?: boolean;
    activation_function?: string;
  }>(join(folder, "config.json"));
  const name = c.activation_function ?? "torch.nn.modules.activation.Tanh";
  const activation = ACTIVATIONS[name];
  if (!activation) {
    throw new CftkitError(
      "ENCODER_UNSUPPORTED_MODULE",
      `${folder}: Dense activation ${name} is not supported (${Object.keys(ACTIVATIONS).join(", ")})`,
    );
  }
  const weights = join(folder, "model.safetensors");
  if (!existsSync(weights)) {
    throw new CftkitError(
      "ENCODER_BAD_FOLDER",
      `${folder} has no model.safetensors (a pytorch_model.bin alone is not read: save the Dense layer with safetensors, e.g. sentence-transformers' model.save(..., safe_serialization=True))`,
    );
  }
  const checkpoint = await SafetensorsCheckpoint.open(weights);
  try {
    const weight = await checkpoint.readTensor("linear.weight");
    const shape = checkpoint.info("linear.weight").shape;
    if (shape[0] !== c.out_features || shape[1] !== c.in_features) {
      throw new CftkitError(
        "ENCODER_BAD_FOLDER",
        `${weights}: linear.weight is [${shape}], config says [${c.out_features}, ${c.in_features}]`,
      );
    }
    const bias =
      c.bias !== false && checkpoint.has("linear.bias") ? await checkpoint.readTensor("linear.bias") : null;
    return { inFeatures: c.in_features, outFeatures: c.out_features, weight, bias, activation };
  } finally {
    await checkpoint.close();
  }
}

/**
 * One text's sentence embedding from its token outputs (`hidden`: [tokens, dim] row-major, the padding already
 * cut away): pooling modes concatenated, then each Dense layer, then L2 normalisation — sentence-transformers'
 * order.
 */
export function embedTokens(
  layout: SentenceTransformersLayout,
  hidden: Float32Array,
  dim: number,
): Float32Array {
  const n = hidden.length / dim;
  const parts = layout.pooling.modes.map((mode) => pool(mode, hidden, n, dim));
  let v: Float32Array = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    v.set(p, offset);
    offset += p.length;
  }
  for (const dense of layout.dense) v = applyDense(dense, v);
  return layout.normalize ? l2Normalise(v) : v;
}

function pool(mode: PoolingMode, hidden: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float64Array(dim);
  if (mode === "cls") return hidden.slice(0, dim);
  if (mode === "lasttoken") return hidden.slice((n - 1) * dim, n * dim);
  if (mode === "max") {
    out.fill(Number.NEGATIVE_INFINITY);
    for (let t = 0; t < n; t++)
      for (let d = 0; d < dim; d++) out[d] = Math.max(out[d]!, hidden[t * dim + d]!);
    return Float32Array.from(out);
  }
  // weightedmean: token t (1-based) has weight t, as sentence-transformers weights positions.
  let weights = 0;
  for (let t = 0; t < n; t++) {
    const w = mode === "weightedmean" ? t + 1 : 1;
    weights += w;
    for (let d = 0; d < dim; d++) out[d]! += w * hidden[t * dim + d]!;
  }
  const divisor = mode === "mean_sqrt_len" ? Math.sqrt(n) : weights;
  return Float32Array.from(out, (x) => x / divisor);
}

function applyDense(dense: DenseLayer, x: Float32Array): Float32Array {
  if (x.length !== dense.inFeatures) {
    throw new CftkitError(
      "ENCODER_BAD_FOLDER",
      `Dense layer expects ${dense.inFeatures} features, the pooled vector has ${x.length}`,
    );
  }
  const y = new Float32Array(dense.outFeatures);
  for (let o = 0; o < dense.outFeatures; o++) {
    let s = dense.bias ? dense.bias[o]! : 0;
    const row = o * dense.inFeatures;
    for (let i = 0; i < dense.inFeatures; i++) s += dense.weight[row + i]! * x[i]!;
    y[o] = activate(dense.activation, s);
  }
  return y;
}

function activate(kind: DenseLayer["activation"], x: number): number {
  if (kind === "tanh") return Math.tanh(x);
  if (kind === "relu") return Math.max(0, x);
  if (kind === "sigmoid") return 1 / (1 + Math.exp(-x));
  return x;
}

function l2Normalise(v: Float32Array): Float32Array {
  let sq = 0;
  for (const x of v) sq += x * x;
  // sentence-transformers' Normalize divides by max(‖v‖, 1e-12).
  const norm = Math.max(Math.sqrt(sq), 1e-12);
  return Float32Array.from(v, (x) => x / norm);
}

/** The layout of a folder without modules.json: mean pooling, L2-normalised (the pipeline's usual DES use). */
export const MEAN_POOLING_LAYOUT: SentenceTransformersLayout = {
  pooling: { modes: ["mean"], includePrompt: true },
  dense: [],
  normalize: true,
  modules: ["Transformer", "Pooling(mean)", "Normalize"],
};
