/**
 * The Llama-family decoder forward pass as tfjs ops — the one graph used by inference and training.
 *
 * Follows Hugging Face `modeling_llama.py` / `modeling_qwen2.py` / `modeling_mistral.py`:
 * embedding → N × [RMSNorm → GQA self-attention with RoPE (rotate_half convention) → residual →
 * RMSNorm → SiLU-gated MLP → residual] → RMSNorm → lm_head (tied to the embedding when configured).
 *
 * Every op is differentiable on the wasm backend: the embedding lookup is a gather whose gradient is
 * written as `oneHot(ids)ᵀ · dy` (wasm lacks the UnsortedSegmentSum kernel tf.gather's own gradient needs).
 * Linear layers multiply by an explicitly transposed weight: the wasm backend's transposed matmul path
 * is ~10× slower than the plain one.
 */
import * as tf from "@tensorflow/tfjs-core";
import { CftkitError } from "@cftkit/core";
import type { ModelConfig } from "./model-config.js";

/** Parameters by HF name ("model.layers.0.self_attn.q_proj.weight"), HF layout (Linear weight = [out, in]). */
export interface ParamStore {
  get(name: string): tf.Tensor;
  /**
   * Optional fast path: the [in, out] transpose of a Linear weight, cached by the store. Inference
   * stores provide it; training stores usually don't (the graph then transposes on the fly, which is
   * differentiable).
   */
  getTransposed?(name: string): tf.Tensor | undefined;
}

/** Key/value cache for incremental decoding: per layer, keys and values after RoPE, [batch, kvHeads, length, headDim]. */
export interface KVCache {
  layers: { key: tf.Tensor4D; value: tf.Tensor4D }[];
  /** Number of cached positions (the `t` dimension). */
  length: number;
}

export interface LlamaForwardOptions {
  /** Also return HF `output_hidden_states` (numHiddenLayers + 1 tensors [batch, seq, hidden]). */
  hiddenStates?: boolean;
  /** [batch, pastLength + seq]: 1 = attend, 0 = padding. Default: all ones. */
  attentionMask?: number[][];
  /** [batch, seq] RoPE positions. Default: pastLength + 0..seq-1 for every row (as HF forward does). */
  positionIds?: number[][];
  /** Cache from a previous call (incremental decoding). */
  pastKeyValues?: KVCache;
  /** Return the updated cache as `presentKeyValues` (the caller disposes it with `disposeKVCache`). */
  useCache?: boolean;
  /** Compute logits only for the last position (logits shape [batch, 1, vocab]). */
  lastPositionOnly?: boolean;
}

export interface LlamaForwardResult {
  /** [batch, seq, vocab] (or [batch, 1, vocab] with lastPositionOnly). */
  logits: tf.Tensor3D;
  /** HF convention: index 0 = embeddings, i = output of decoder layer i-1, last = after the final norm. */
  hiddenStates?: tf.Tensor3D[];
  presentKeyValues?: KVCache;
}

/** Large negative additive mask value (finite so fully masked rows stay finite). */
const MASK_VALUE = -1e9;

/** RoPE inverse frequencies as float32 values, HF `_compute_*_rope_parameters`. */
export function ropeInvFreq(config: ModelConfig, seqLen: number): Float32Array {
  const d = config.headDim;
  const half = d / 2;
  let base = config.ropeTheta;
  const rs = config.ropeScaling;
  if (rs?.type === "dynamic" && seqLen > config.maxPositionEmbeddings) {
    base = base * ((rs.factor * seqLen) / config.maxPositionEmbeddings - (rs.factor - 1)) ** (d / (d - 2));
  }
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    inv[i] = Math.fround(1 / Math.fround(base ** Math.fround((2 * i) / d)));
  }
  if (rs?.type === "linear") {
    for (let i = 0; i < half; i++) inv[i] = Math.fround(inv[i]! / rs.factor);
  } else if (rs?.type === "llama3") {
    const old = rs.originalMaxPositionEmbeddings;
    const lowWav = old / rs.lowFreqFactor;
    const highWav = old / rs.highFreqFactor;
    for (let i = 0; i < half; i++) {
      const f = inv[i]!;
      const wav = (2 * Math.PI) / f;
      if (wav > lowWav) inv[i] = Math.fround(f / rs.factor);
      else if (wav >= highWav) {
        const smooth = (old / wav - rs.lowFreqFactor) / (rs.highFreqFactor - rs.lowFreqFactor);
        inv[i] = Math.fround((1 - smooth) * (f / rs.factor) + smooth * f);
      }
    }
  }
  return inv;
}

/** cos/sin tables [batch, 1, seq, headDim] for the given positions (emb = cat(freqs, freqs)). */
function ropeTables(config: ModelConfig, positions: number[][]): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const { cos, sin } = ropeTableData(config, positions);
  const b = positions.length;
  const s = positions[0]!.length;
  const d = config.headDim;
  return { cos: tf.tensor4d(cos, [b, 1, s, d]), sin: tf.tensor4d(sin, [b, 1, s, d]) };
}

/** cos/sin values, row-major [batch, 1, seq, headDim]. */
export function ropeTableData(
  config: ModelConfig,
  positions: number[][],
): { cos: Float32Array; sin: Float32Array } {
  const b = positions.length;
  const s = positions[0]!.length;
  const d = config.headDim;
  const half = d / 2;
  let maxPos = 0;
  for (const row of positions) for (const p of row) if (p > maxPos) maxPos = p;
  const inv = ropeInvFreq(config, maxPos + 1);
  const cos = new Float32Array(b * s * d);
  const sin = new Float32Array(b * s * d);
  for (let r = 0; r < b; r++) {
    const row = positions[r]!;
    for (let t = 0; t < s; t++) {
      const off = (r * s + t) * d;
      for (let i = 0; i < half; i++) {
        const f = Math.fround(inv[i]! * row[t]!);
        const c = Math.cos(f);
        const sn = Math.sin(f);
        cos[off + i] = c;
        cos[off + half + i] = c;
        sin[off + i] = sn;
        sin[off + half + i] = sn;
      }
    }
  }
  return { cos, sin };
}

function rotateHalf(x: tf.Tensor4D): tf.Tensor4D {
  const d = x.shape[3];
  const half = d / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, half]);
  const x2 = tf.slice(x, [0, 0, 0, half], [-1, -1, -1, half]);
  return tf.concat([tf.neg(x2), x1], 3) as tf.Tensor4D;
}

function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)) as tf.Tensor4D;
}

/** HF LlamaRMSNorm: x * rsqrt(mean(x²) + eps) * weight, in float32. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
}

/**
 * oneHot as float32. Note: the wasm backend's OneHot kernel ignores the dtype argument (tfjs 4.22: asking
 * for "float32" returns int32 bits labelled float32), so build it as int32 and cast.
 */
export function oneHotFloat(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), "float32") as tf.Tensor2D;
}

/** Embedding lookup that is differentiable on wasm: forward = gather, gradient = oneHot(ids)ᵀ · dy. */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor1D): tf.Tensor2D {
  const vocab = table.shape[0]!;
  const lookup = tf.customGrad((...args: unknown[]) => {
    const e = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([ids]);
    return {
      value: tf.gather(e, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.matMul(tf.transpose(oneHotFloat(saved[0] as tf.Tensor1D, vocab)), dy as tf.Tensor2D),
    };
  });
  return lookup(table) as tf.Tensor2D;
}

/** Swap the last two axes. */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return tf.transpose(x, perm);
}

/**
 * Matmul (2-D or batched with equal leading dims) whose gradient avoids the wasm backend's slow
 * transposed-operand kernels: dA = dY · Bᵀ and dB = Aᵀ · dY with explicit transposes.
 */
export function fastMatMul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  const f = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tf.Tensor;
    const y = args[1] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.matMul(dy, transposeLast2(saved[1]!)),
        tf.matMul(transposeLast2(saved[0]!), dy),
      ],
    };
  });
  return f(a, b) as T;
}

function linear(params: ParamStore, x: tf.Tensor2D, name: string, bias: boolean): tf.Tensor2D {
  const wt = params.getTransposed?.(`${name}.weight`) ?? tf.transpose(params.get(`${name}.weight`));
  const y = fastMatMul(x, wt as tf.Tensor2D);
  return bias ? (tf.add(y, params.get(`${name}.bias`)) as tf.Tensor2D) : (y as tf.Tensor2D);
}

function toIdRows(inputIds: number[][] | tf.Tensor2D): { rows: number[][] | null; tensor: tf.Tensor2D } {
  if (Array.isArray(inputIds)) {
    const b = inputIds.length;
    if (b === 0) throw new CftkitError("LM_BAD_INPUT", "llamaForward: empty batch");
    const s = inputIds[0]!.length;
    if (s === 0) throw new CftkitError("LM_BAD_INPUT", "llamaForward: empty sequence");
    for (const r of inputIds)
      if (r.length !== s)
        throw new CftkitError(
          "LM_BAD_INPUT",
          "llamaForward: rows of inputIds must have equal length (pad them)",
        );
    return { rows: inputIds, tensor: tf.tensor2d(inputIds, [b, s], "int32") };
  }
  return { rows: null, tensor: inputIds.dtype === "int32" ? inputIds : tf.cast(inputIds, "int32") };
}

/** Additive mask [batch, 1, seq, total] from causal order, padding and sliding window. */
function buildMask(
  config: ModelConfig,
  batch: number,
  seq: number,
  past: number,
  attentionMask: number[][] | undefined,
): tf.Tensor4D {
  return tf.tensor4d(attentionMaskData(config, batch, seq, past, attentionMask), [batch, 1, seq, past + seq]);
}

/** Additive mask values (0 or a large negative), row-major [batch, 1, seq, past + seq]. */
export function attentionMaskData(
  config: ModelConfig,
  batch: number,
  seq: number,
  past: number,
  attentionMask: number[][] | undefined,
): Float32Array {
  const total = past + seq;
  const m = new Float32Array(batch * seq * total);
  const window = config.slidingWindow;
  for (let r = 0; r < batch; r++) {
    const am = attentionMask?.[r];
    if (am && am.length !== total)
      throw new CftkitError(
        "LM_BAD_INPUT",
        `attentionMask row ${r} has length ${am.length}, expected past + seq = ${total}`,
      );
    for (let i = 0; i < seq; i++) {
      const qi = past + i;
      const off = (r * seq + i) * total;
      for (let j = 0; j < total; j++) {
        let ok = j <= qi;
        if (ok && am && am[j] === 0) ok = false;
        if (ok && window !== null && qi - j >= window) ok = false;
        m[off + j] = ok ? 0 : MASK_VALUE;
      }
    }
  }
  return m;
}

/**
 * The forward pass. Returned tensors belong to the caller (dispose them, or call inside tf.tidy).
 * Differentiable with respect to every tensor the ParamStore hands out.
 */
export function llamaForward(
  config: ModelConfig,
  params: ParamStore,
  inputIds: number[][] | tf.Tensor2D,
  opts: LlamaForwardOptions = {},
): LlamaForwardResult {
  return tf.tidy(() => {
    const { tensor: ids } = toIdRows(inputIds);
    const [b, s] = ids.shape;
    const past = opts.pastKeyValues?.length ?? 0;
    const h = config.hiddenSize;
    const nh = config.numAttentionHeads;
    const kvh = config.numKeyValueHeads;
    const hd = config.headDim;
    const groups = nh / kvh;
    const positions =
      opts.positionIds ?? Array.from({ length: b }, () => Array.from({ length: s }, (_, i) => past + i));
    if (positions.length !== b || positions.some((r) => r.length !== s))
      throw new CftkitError("LM_BAD_INPUT", `positionIds must be [${b}, ${s}]`);
    const { cos, sin } = ropeTables(config, positions);
    const mask = buildMask(config, b, s, past, opts.attentionMask);
    const scale = 1 / Math.sqrt(hd);

    const embed = embeddingLookup(
      params.get("model.embed_tokens.weight"),
      tf.reshape(ids, [b * s]) as tf.Tensor1D,
    );
    let x = tf.reshape(embed, [b, s, h]) as tf.Tensor3D;
    const hidden: tf.Tensor3D[] = [];
    if (opts.hiddenStates) hidden.push(x);
    const present: { key: tf.Tensor4D; value: tf.Tensor4D }[] = [];

    for (let l = 0; l < config.numHiddenLayers; l++) {
      const p = `model.layers.${l}`;
      // --- self-attention ---
      const xn = tf.reshape(rmsNorm(x, params.get(`${p}.input_layernorm.weight`), config.rmsNormEps), [
        b * s,
        h,
      ]) as tf.Tensor2D;
      const heads = (name: string, n: number, bias: boolean): tf.Tensor4D =>
        tf.transpose(
          tf.reshape(linear(params, xn, `${p}.self_attn.${name}`, bias), [b, s, n, hd]),
          [0, 2, 1, 3],
        ) as tf.Tensor4D;
      const q = applyRope(heads("q_proj", nh, config.qkvBias), cos, sin);
      let k = applyRope(heads("k_proj", kvh, config.qkvBias), cos, sin);
      let v = heads("v_proj", kvh, config.qkvBias);
      const cached = opts.pastKeyValues?.layers[l];
      if (cached) {
        k = tf.concat([cached.key, k], 2) as tf.Tensor4D;
        v = tf.concat([cached.value, v], 2) as tf.Tensor4D;
      }
      if (opts.useCache) present.push({ key: k, value: v });
      const t = past + s;
      // GQA without materialising repeat_kv: heads kv*groups..kv*groups+groups-1 share kv head `kv`.
      const qg = tf.reshape(q, [b, kvh, groups * s, hd]);
      const kT = tf.transpose(k, [0, 1, 3, 2]);
      let scores = tf.mul(fastMatMul(qg, kT), scale); // [b, kvh, groups*s, t]
      scores = tf.add(tf.reshape(scores, [b, nh, s, t]), mask);
      const probs = tf.reshape(tf.softmax(scores, -1), [b, kvh, groups * s, t]);
      const ctx = fastMatMul(probs, v); // [b, kvh, groups*s, hd]
      const ctx2d = tf.reshape(tf.transpose(tf.reshape(ctx, [b, nh, s, hd]), [0, 2, 1, 3]), [
        b * s,
        nh * hd,
      ]) as tf.Tensor2D;
      const attnOut = linear(params, ctx2d, `${p}.self_attn.o_proj`, config.oBias);
      x = tf.add(x, tf.reshape(attnOut, [b, s, h])) as tf.Tensor3D;
      // --- MLP ---
      const xn2 = tf.reshape(
        rmsNorm(x, params.get(`${p}.post_attention_layernorm.weight`), config.rmsNormEps),
        [b * s, h],
      ) as tf.Tensor2D;
      const gate = linear(params, xn2, `${p}.mlp.gate_proj`, config.mlpBias);
      const up = linear(params, xn2, `${p}.mlp.up_proj`, config.mlpBias);
      const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
      const down = linear(params, act, `${p}.mlp.down_proj`, config.mlpBias);
      x = tf.add(x, tf.reshape(down, [b, s, h])) as tf.Tensor3D;
      if (opts.hiddenStates && l < config.numHiddenLayers - 1) hidden.push(x);
    }
    const normed = rmsNorm(x, params.get("model.norm.weight"), config.rmsNormEps) as tf.Tensor3D;
    if (opts.hiddenStates) hidden.push(normed);
    const head = opts.lastPositionOnly ? tf.slice(normed, [0, s - 1, 0], [-1, 1, -1]) : normed;
    const rows = opts.lastPositionOnly ? 1 : s;
    const headName = config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
    const wt = params.getTransposed?.(headName) ?? tf.transpose(params.get(headName));
    const logits = tf.reshape(fastMatMul(tf.reshape(head, [b * rows, h]) as tf.Tensor2D, wt as tf.Tensor2D), [
      b,
      rows,
      config.vocabSize,
    ]) as tf.Tensor3D;
    const result: LlamaForwardResult = { logits };
    if (opts.hiddenStates) result.hiddenStates = hidden;
    if (opts.useCache) result.presentKeyValues = { layers: present, length: past + s };
    return result as unknown as tf.TensorContainer;
  }) as unknown as LlamaForwardResult;
}

/** Dispose every tensor of a cache. */
export function disposeKVCache(cache: KVCache | undefined): void {
  if (!cache) return;
  for (const l of cache.layers) {
    l.key.dispose();
    l.value.dispose();
  }
}

/** Approximate forward FLOPs for `tokens` new tokens attending over `context` positions on average. */
export function forwardFlops(config: ModelConfig, tokens: number, context: number): number {
  const h = config.hiddenSize;
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const perLayer = h * q * 2 + h * kv * 2 + 3 * h * config.intermediateSize;
  const matmulParams = perLayer * config.numHiddenLayers + config.vocabSize * h;
  const attention = config.numHiddenLayers * 2 * 2 * q * context; // QKᵀ and PV
  return tokens * (2 * matmulParams + attention);
}
