/**
 * `CausalLM`: an HF Llama-family model folder in memory — forward with hidden states, generation,
 * log-likelihood scoring, mean hidden states, save. All math runs through `llamaForward` (tfjs).
 */
import { resolve } from "node:path";
import {
  CftkitError,
  type ChatMessage,
  type ProgressReporter,
  SeededRandom,
  silentProgress,
} from "@cftkit/core";
import { BYTE_LEVEL_IDS, BYTE_LEVEL_VOCAB_SIZE, byteLevelTokenizer } from "./byte-level-tokenizer.js";
import {
  type KVCache,
  type LlamaForwardOptions,
  type LlamaForwardResult,
  type ParamStore,
  disposeKVCache,
  llamaForward,
} from "./llama-graph.js";
import {
  type ModelConfig,
  type ModelPreset,
  parameterSpecs,
  presetConfig,
  readModelConfig,
} from "./model-config.js";
import {
  type NamedTensor,
  defaultGenerationConfig,
  readGenerationConfig,
  readModelWeights,
  writeModelFolder,
} from "./model-folder.js";
import { OrtLlamaForward } from "./ort-forward.js";
import { argmax, sampleToken } from "./sampling.js";
import { ensureTfBackend, tf } from "./tf-backend.js";
import { type Tokenizer, hasTokenizer, loadTokenizer } from "./tokenizer.js";

/**
 * Where full-sequence forwards run: "ort" = the ONNX graph on onnxruntime-node (all cores; default),
 * "tfjs" = the differentiable tfjs graph. Generation with the KV cache always uses tfjs.
 * Env CFTKIT_LM_ENGINE overrides the default.
 */
export type LmEngine = "ort" | "tfjs";

function defaultEngine(): LmEngine {
  return process.env.CFTKIT_LM_ENGINE === "tfjs" ? "tfjs" : "ort";
}

export interface GenerateOptions {
  /** Default 128. */
  maxNewTokens?: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  /** Nucleus sampling mass (default 1 = off). */
  topP?: number;
  /** Sampling seed (default 0); row i of the request uses an independent stream derived from (seed, i). */
  seed?: number;
  /** Stop when the generated text contains one of these (the text is cut before it). */
  stop?: string[];
  /** Apply the chat template (default: true for ChatMessage[] prompts, false for strings). */
  chatTemplate?: boolean;
  /** Use the KV cache (default true); false recomputes the whole sequence every step. */
  useCache?: boolean;
  /** Prompts per forward batch (default 8; left padding). */
  batchSize?: number;
  progress?: ProgressReporter;
  /** Checked before every decoding step: an aborted signal ends generation with LM_ABORTED (a server's client left). */
  signal?: AbortSignal;
}

export interface GenerateResult {
  text: string;
  tokenIds: number[];
  finishReason: "stop" | "length";
}

export interface LogLikelihoodRequest {
  context: string;
  continuation: string;
}

export interface LogLikelihoodResult {
  logprob: number;
  isGreedy: boolean;
  tokenCount: number;
}

export interface ForwardOutput {
  /** Per batch row, [seq * vocab] row-major. */
  logits: Float32Array[];
  /** [row][layer] each [seq * hidden]; HF output_hidden_states convention (numHiddenLayers + 1 entries). */
  hiddenStates?: Float32Array[][];
}

/** A ParamStore over plain tensors, caching the [in, out] transposes of matrices for fast matmuls. */
export class TensorParamStore implements ParamStore {
  private readonly transposed = new Map<string, tf.Tensor>();
  constructor(readonly tensors: Map<string, tf.Tensor>) {}
  get(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new CftkitError("LM_MISSING_TENSOR", `parameter "${name}" is not loaded`, { exitCode: 1 });
    return t;
  }
  getTransposed(name: string): tf.Tensor | undefined {
    const cached = this.transposed.get(name);
    if (cached) return cached;
    const t = this.get(name);
    if (t.rank !== 2) return undefined;
    const tt = tf.keep(tf.transpose(t));
    this.transposed.set(name, tt);
    return tt;
  }
  /** Forget cached transposes (call after changing parameter values). */
  invalidate(): void {
    for (const t of this.transposed.values()) t.dispose();
    this.transposed.clear();
  }
  dispose(): void {
    this.invalidate();
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}

function padRows(
  rows: number[][],
  pad: number,
  side: "left" | "right",
): { ids: number[][]; mask: number[][] } {
  const len = Math.max(...rows.map((r) => r.length));
  const ids: number[][] = [];
  const mask: number[][] = [];
  for (const r of rows) {
    const n = len - r.length;
    const padIds = new Array<number>(n).fill(pad);
    const zeros = new Array<number>(n).fill(0);
    const ones = new Array<number>(r.length).fill(1);
    ids.push(side === "left" ? [...padIds, ...r] : [...r, ...padIds]);
    mask.push(side === "left" ? [...zeros, ...ones] : [...ones, ...zeros]);
  }
  return { ids, mask };
}

/** HF generate's position ids for (left-)padded rows: cumsum(mask) - 1, padding at 1. */
function positionsFromMask(mask: number[][]): number[][] {
  return mask.map((row) => {
    let c = 0;
    return row.map((m) => {
      c += m;
      return m === 0 ? 1 : c - 1;
    });
  });
}

export class CausalLM {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer | null;
  readonly dir: string | null;
  /** generation_config.json of the folder (or the default one). */
  readonly generationConfig: Record<string, unknown>;
  /** Full-sequence forwards (forward, logLikelihood, meanHiddenStates) run on this engine. */
  readonly engine: LmEngine;
  private readonly store: TensorParamStore;
  private disposed = false;
  private ort: Promise<OrtLlamaForward> | null = null;
  private ortWeights: Map<string, Float32Array> | null = null;

  private constructor(
    config: ModelConfig,
    store: TensorParamStore,
    tokenizer: Tokenizer | null,
    dir: string | null,
    generationConfig: Record<string, unknown> | null,
    engine: LmEngine,
  ) {
    this.config = config;
    this.store = store;
    this.tokenizer = tokenizer;
    this.dir = dir;
    this.generationConfig = generationConfig ?? defaultGenerationConfig(config, tokenizer);
    this.engine = engine;
  }

  /** Load an HF folder: config.json + safetensors (single or sharded), tokenizer when present. */
  static async load(dir: string, options: { engine?: LmEngine } = {}): Promise<CausalLM> {
    const abs = resolve(dir);
    await ensureTfBackend(undefined, { gradients: false });
    const config = await readModelConfig(abs);
    const weights = await readModelWeights(abs, config);
    const tokenizer = (await hasTokenizer(abs)) ? await loadTokenizer(abs) : null;
    if (tokenizer && tokenizer.vocabSize > config.vocabSize)
      throw new CftkitError(
        "LM_SHAPE_MISMATCH",
        `${abs}: the tokenizer has ${tokenizer.vocabSize} ids but config.json has vocab_size=${config.vocabSize}`,
      );
    const generationConfig = await readGenerationConfig(abs);
    return CausalLM.fromWeights(config, weights, {
      tokenizer,
      dir: abs,
      generationConfig,
      engine: options.engine,
    });
  }

  /** Build a model from float32 weights (HF names and shapes). */
  static async fromWeights(
    config: ModelConfig,
    weights: NamedTensor[],
    options: {
      tokenizer?: Tokenizer | null;
      dir?: string | null;
      generationConfig?: Record<string, unknown> | null;
      engine?: LmEngine;
    } = {},
  ): Promise<CausalLM> {
    await ensureTfBackend(undefined, { gradients: false });
    const byName = new Map(weights.map((w) => [w.name, w]));
    const tensors = new Map<string, tf.Tensor>();
    for (const spec of parameterSpecs(config)) {
      const w = byName.get(spec.name);
      if (!w)
        throw new CftkitError("LM_MISSING_TENSOR", `weights lack "${spec.name}"`, {
          details: { tensor: spec.name },
        });
      if (w.data.length !== spec.shape.reduce((a, b) => a * b, 1))
        throw new CftkitError(
          "LM_SHAPE_MISMATCH",
          `"${spec.name}" has ${w.data.length} values, expected shape [${spec.shape}]`,
        );
      tensors.set(spec.name, tf.tensor(w.data, spec.shape, "float32"));
    }
    return new CausalLM(
      config,
      new TensorParamStore(tensors),
      options.tokenizer ?? null,
      options.dir ?? null,
      options.generationConfig ?? null,
      options.engine ?? defaultEngine(),
    );
  }

  /**
   * A fresh random model with the byte-level tokenizer. Initialisation as HF `_init_weights`:
   * matrices ~ normal(0, initializer_range = 0.02), biases 0, RMSNorm weights 1.
   */
  static async init(options: { preset: ModelPreset; seed: number; engine?: LmEngine }): Promise<CausalLM> {
    await ensureTfBackend(undefined, { gradients: false });
    const config = presetConfig(options.preset, BYTE_LEVEL_VOCAB_SIZE, {
      bos: BYTE_LEVEL_IDS.bos,
      eos: [BYTE_LEVEL_IDS.eos, BYTE_LEVEL_IDS.imEnd],
    });
    const rng = new SeededRandom(options.seed);
    const weights: NamedTensor[] = parameterSpecs(config).map((spec) => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      if (spec.init === "norm") data.fill(1);
      else if (spec.init === "matrix") {
        const r = rng.fork(spec.name);
        for (let i = 0; i < n; i++) data[i] = r.normal() * config.initializerRange;
      }
      return { name: spec.name, shape: spec.shape, data };
    });
    const tokenizer = await byteLevelTokenizer();
    return CausalLM.fromWeights(config, weights, { tokenizer, engine: options.engine });
  }

  /** The parameters as tfjs tensors (HF names). Owned by the model: do not dispose them. */
  get parameters(): ParamStore {
    this.check();
    return this.store;
  }

  /** Parameter names in HF order. */
  get parameterNames(): string[] {
    return parameterSpecs(this.config).map((s) => s.name);
  }

  /** Copy of every parameter as float32 (HF names and shapes). */
  async weights(): Promise<NamedTensor[]> {
    this.check();
    const out: NamedTensor[] = [];
    for (const spec of parameterSpecs(this.config)) {
      const t = this.store.get(spec.name);
      out.push({ name: spec.name, shape: spec.shape, data: (await t.data()) as Float32Array });
    }
    return out;
  }

  /**
   * Replace parameter values (e.g. after training). Tensors are copied; shapes must match.
   */
  setParameters(values: Map<string, tf.Tensor | Float32Array>): void {
    this.check();
    for (const [name, v] of values) {
      const old = this.store.get(name);
      const t = v instanceof Float32Array ? tf.tensor(v, old.shape, "float32") : tf.keep(tf.clone(v));
      if (t.size !== old.size) {
        t.dispose();
        throw new CftkitError(
          "LM_SHAPE_MISMATCH",
          `setParameters: "${name}" has ${t.size} values, expected ${old.size}`,
        );
      }
      this.store.tensors.set(
        name,
        t.shape.join() === old.shape.join() ? t : tf.keep(tf.reshape(t, old.shape)),
      );
      old.dispose();
    }
    this.store.invalidate();
    this.ortWeights = null;
  }

  /** Low-level forward on tensors (caller disposes the result). */
  forwardTensors(inputIds: number[][], opts?: LlamaForwardOptions): LlamaForwardResult {
    this.check();
    return llamaForward(this.config, this.store, inputIds, opts);
  }

  /**
   * One full-sequence forward of equal-length rows on the model's engine, results copied to JS:
   * logits [B*S*V] and optionally hidden states [layer][B*S*H].
   */
  private async fullForward(
    ids: number[][],
    attentionMask: number[][] | undefined,
    hiddenStates: boolean,
  ): Promise<{ logits: Float32Array; hiddenStates?: Float32Array[] }> {
    if (this.engine === "ort") {
      this.ort ??= OrtLlamaForward.create(this.config);
      const ort = await this.ort;
      if (!this.ortWeights) {
        const w = new Map<string, Float32Array>();
        for (const spec of parameterSpecs(this.config))
          w.set(spec.name, (await this.store.get(spec.name).data()) as Float32Array);
        this.ortWeights = w;
      }
      return ort.run(ids, this.ortWeights, { attentionMask, hiddenStates });
    }
    const res = llamaForward(this.config, this.store, ids, { hiddenStates, attentionMask });
    try {
      const logits = (await res.logits.data()) as Float32Array;
      if (!hiddenStates) return { logits };
      return {
        logits,
        hiddenStates: await Promise.all(res.hiddenStates!.map((h) => h.data() as Promise<Float32Array>)),
      };
    } finally {
      res.logits.dispose();
      for (const h of res.hiddenStates ?? []) h.dispose();
    }
  }

  /** Logits (and hidden states) per row. Rows may differ in length (right-padded internally). */
  async forward(tokenIds: number[][], opts: { hiddenStates?: boolean } = {}): Promise<ForwardOutput> {
    this.check();
    this.checkIds(tokenIds);
    const lens = tokenIds.map((r) => r.length);
    const { ids, mask } = padRows(tokenIds, this.padId(), "right");
    const ragged = lens.some((l) => l !== ids[0]!.length);
    const res = await this.fullForward(ids, ragged ? mask : undefined, Boolean(opts.hiddenStates));
    const seq = ids[0]!.length;
    const V = this.config.vocabSize;
    const H = this.config.hiddenSize;
    const logits = lens.map((l, r) => res.logits.slice(r * seq * V, (r * seq + l) * V));
    const out: ForwardOutput = { logits };
    if (opts.hiddenStates && res.hiddenStates) {
      const layers = res.hiddenStates;
      out.hiddenStates = lens.map((l, r) => layers.map((d) => d.slice(r * seq * H, (r * seq + l) * H)));
    }
    return out;
  }

  /** Generate continuations for plain-text prompts or chat conversations. */
  async generate(prompts: (string | ChatMessage[])[], opts: GenerateOptions = {}): Promise<GenerateResult[]> {
    this.check();
    const tok = this.requireTokenizer("generate");
    const maxNew = opts.maxNewTokens ?? 128;
    const temperature = opts.temperature ?? 0;
    const topP = opts.topP ?? 1;
    const seed = opts.seed ?? 0;
    const batchSize = Math.max(1, opts.batchSize ?? 8);
    const stopIds = this.stopTokenIds();
    const encoded = prompts.map((p) => {
      const useTemplate = opts.chatTemplate ?? typeof p !== "string";
      if (typeof p === "string") {
        if (useTemplate) {
          const text = tok.applyChatTemplate([{ role: "user", content: p }], { addGenerationPrompt: true });
          return tok.encode(text, { addSpecialTokens: false });
        }
        return tok.encode(p, { addSpecialTokens: true });
      }
      if (useTemplate)
        return tok.encode(tok.applyChatTemplate(p, { addGenerationPrompt: true }), {
          addSpecialTokens: false,
        });
      return tok.encode(p.map((m) => m.content).join("\n"), { addSpecialTokens: true });
    });
    const progress = opts.progress ?? silentProgress;
    progress.start("generate", prompts.length);
    const results: GenerateResult[] = new Array(prompts.length);
    const base = new SeededRandom(seed);
    for (let start = 0; start < encoded.length; start += batchSize) {
      const rows = encoded.slice(start, start + batchSize);
      const rngs = rows.map((_, i) => base.fork(`row:${start + i}`));
      const out = await this.generateBatch(rows, {
        maxNew,
        temperature,
        topP,
        rngs,
        stopIds,
        stop: opts.stop ?? [],
        useCache: opts.useCache ?? true,
        signal: opts.signal,
      });
      out.forEach((r, i) => {
        results[start + i] = r;
      });
      progress.update({ done: Math.min(start + batchSize, encoded.length), total: encoded.length });
    }
    progress.stop();
    return results;
  }

  private async generateBatch(
    prompts: number[][],
    o: {
      maxNew: number;
      temperature: number;
      topP: number;
      rngs: SeededRandom[];
      stopIds: Set<number>;
      stop: string[];
      useCache: boolean;
      signal?: AbortSignal;
    },
  ): Promise<GenerateResult[]> {
    const tok = this.tokenizer!;
    const pad = this.padId();
    for (const p of prompts)
      if (p.length === 0) throw new CftkitError("LM_BAD_INPUT", "generate: a prompt encodes to zero tokens");
    const { ids, mask } = padRows(prompts, pad, "left");
    const b = ids.length;
    const generated: number[][] = prompts.map(() => []);
    const done: (GenerateResult | null)[] = prompts.map(() => null);
    let cache: KVCache | undefined;
    let step = 0;
    let nextInput = ids;
    try {
      while (step < o.maxNew) {
        if (o.signal) {
          // Tensor reads resolve as microtasks: let socket events (a client leaving) run between tokens.
          await new Promise((r) => setImmediate(r));
          if (o.signal.aborted)
            throw new CftkitError("LM_ABORTED", "generation was cancelled", { exitCode: 1 });
        }
        const positions = positionsFromMask(mask);
        const res = o.useCache
          ? llamaForward(this.config, this.store, nextInput, {
              attentionMask: mask,
              positionIds: cache ? positions.map((r) => r.slice(-1)) : positions,
              pastKeyValues: cache,
              useCache: true,
              lastPositionOnly: true,
            })
          : llamaForward(this.config, this.store, ids, {
              attentionMask: mask,
              positionIds: positions,
              lastPositionOnly: true,
            });
        const logits = (await res.logits.data()) as Float32Array;
        res.logits.dispose();
        if (o.useCache) {
          disposeKVCache(cache);
          cache = res.presentKeyValues;
        }
        const V = this.config.vocabSize;
        const chosen: number[] = [];
        for (let r = 0; r < b; r++) {
          if (done[r]) {
            chosen.push(pad);
            continue;
          }
          const row = logits.subarray(r * V, (r + 1) * V);
          const t = sampleToken(row, o.temperature, o.topP, o.rngs[r]!);
          chosen.push(t);
          generated[r]!.push(t);
          if (o.stopIds.has(t)) {
            done[r] = {
              text: tok.decode(generated[r]!.slice(0, -1), { skipSpecialTokens: true }),
              tokenIds: generated[r]!.slice(),
              finishReason: "stop",
            };
            continue;
          }
          if (o.stop.length > 0) {
            const text = tok.decode(generated[r]!, { skipSpecialTokens: true });
            let cut = -1;
            for (const s of o.stop) {
              const at = text.indexOf(s);
              if (at >= 0 && (cut < 0 || at < cut)) cut = at;
            }
            if (cut >= 0)
              done[r] = { text: text.slice(0, cut), tokenIds: generated[r]!.slice(), finishReason: "stop" };
          }
        }
        step++;
        if (done.every((d) => d !== null)) break;
        for (let r = 0; r < b; r++) {
          ids[r]!.push(chosen[r]!);
          mask[r]!.push(1);
        }
        nextInput = chosen.map((t) => [t]);
      }
    } finally {
      disposeKVCache(cache);
    }
    return done.map(
      (d, r) =>
        d ?? {
          text: tok.decode(generated[r]!, { skipSpecialTokens: true }),
          tokenIds: generated[r]!,
          finishReason: "length" as const,
        },
    );
  }

  /**
   * Sum of log-probabilities of `continuation` given `context` (lm-evaluation-harness semantics: the
   * continuation's tokens are those of encode(context + continuation) after encode(context); trailing
   * whitespace of the context moves to the continuation), whether it is the greedy continuation, and its
   * token count. Batched with right padding.
   */
  async logLikelihood(
    requests: LogLikelihoodRequest[],
    opts: { batchSize?: number; progress?: ProgressReporter } = {},
  ): Promise<LogLikelihoodResult[]> {
    this.check();
    const tok = this.requireTokenizer("logLikelihood");
    const prepared = requests.map(({ context, continuation }) => {
      const trimmed = context.replace(/\s+$/u, "");
      const moved = context.slice(trimmed.length);
      const ctx = trimmed;
      const cont = moved + continuation;
      const ctxIds = tok.encode(ctx, { addSpecialTokens: true });
      const whole = tok.encode(ctx + cont, { addSpecialTokens: true });
      let contIds = whole.slice(ctxIds.length);
      let prefix = ctxIds;
      if (prefix.length === 0) {
        const start = tok.bosTokenId ?? tok.eosTokenId ?? this.padId();
        prefix = [start];
        contIds = whole;
      }
      return { input: [...prefix, ...contIds].slice(0, -1), prefixLen: prefix.length, contIds };
    });
    const batchSize = Math.max(1, opts.batchSize ?? 8);
    const progress = opts.progress ?? silentProgress;
    progress.start("loglikelihood", requests.length);
    const out: LogLikelihoodResult[] = new Array(requests.length);
    const V = this.config.vocabSize;
    let done = 0;
    for (const chunkIndices of lengthBatches(
      prepared.map((p) => p.input.length),
      batchSize,
      this.config.numAttentionHeads,
    )) {
      const chunk = chunkIndices.map((i) => ({ c: prepared[i]!, i }));
      const nonEmpty = chunk.filter(({ c }) => c.contIds.length > 0);
      for (const { c, i } of chunk)
        if (c.contIds.length === 0) out[i] = { logprob: 0, isGreedy: true, tokenCount: 0 };
      if (nonEmpty.length > 0) {
        const { ids, mask } = padRows(
          nonEmpty.map(({ c }) => c.input),
          this.padId(),
          "right",
        );
        const { logits: data } = await this.fullForward(ids, mask, false);
        const seq = ids[0]!.length;
        nonEmpty.forEach(({ c, i }, r) => {
          let sum = 0;
          let greedy = true;
          for (let k = 0; k < c.contIds.length; k++) {
            const pos = c.prefixLen - 1 + k;
            const row = data.subarray((r * seq + pos) * V, (r * seq + pos + 1) * V);
            const target = c.contIds[k]!;
            let max = Number.NEGATIVE_INFINITY;
            for (let j = 0; j < V; j++) if (row[j]! > max) max = row[j]!;
            let z = 0;
            for (let j = 0; j < V; j++) z += Math.exp(row[j]! - max);
            sum += row[target]! - max - Math.log(z);
            if (argmax(row) !== target) greedy = false;
          }
          out[i] = { logprob: sum, isGreedy: greedy, tokenCount: c.contIds.length };
        });
      }
      done += chunk.length;
      progress.update({ done, total: prepared.length });
    }
    progress.stop();
    return out;
  }

  /**
   * Mean over each text's tokens of every hidden state (HF convention, numHiddenLayers + 1 layers):
   * result[text][layer] has hidden_size values. Texts are encoded with the tokenizer's special tokens.
   */
  async meanHiddenStates(
    texts: string[],
    opts: { batchSize?: number; progress?: ProgressReporter; maxTokens?: number } = {},
  ): Promise<Float32Array[][]> {
    this.check();
    const tok = this.requireTokenizer("meanHiddenStates");
    const maxTokens = opts.maxTokens ?? this.config.maxPositionEmbeddings;
    const encoded = texts.map((t) => tok.encode(t, { addSpecialTokens: true }).slice(0, maxTokens));
    return this.meanHiddenStatesOfIds(encoded, opts);
  }

  /** `meanHiddenStates` for token ids (no tokenizer needed). */
  async meanHiddenStatesOfIds(
    tokenIds: number[][],
    opts: { batchSize?: number; progress?: ProgressReporter } = {},
  ): Promise<Float32Array[][]> {
    this.check();
    this.checkIds(tokenIds);
    const batchSize = Math.max(1, opts.batchSize ?? 8);
    const progress = opts.progress ?? silentProgress;
    progress.start("hidden states", tokenIds.length);
    const out: Float32Array[][] = [];
    // Sort by length so batches pad little; restore order at the end.
    const order = tokenIds.map((_, i) => i).sort((a, b) => tokenIds[a]!.length - tokenIds[b]!.length);
    const byIndex = new Map<number, Float32Array[]>();
    for (let start = 0; start < order.length; start += batchSize) {
      const idx = order.slice(start, start + batchSize);
      const rows = idx.map((i) => tokenIds[i]!);
      const { ids, mask } = padRows(rows, this.padId(), "right");
      const res = await this.fullForward(ids, mask, true);
      const H = this.config.hiddenSize;
      const seq = ids[0]!.length;
      const means: Float32Array[] = res.hiddenStates!.map((layer) => {
        const m = new Float32Array(rows.length * H);
        rows.forEach((row, r) => {
          const acc = new Float64Array(H);
          for (let p = 0; p < row.length; p++) {
            const off = (r * seq + p) * H;
            for (let j = 0; j < H; j++) acc[j]! += layer[off + j]!;
          }
          for (let j = 0; j < H; j++) m[r * H + j] = acc[j]! / row.length;
        });
        return m;
      });
      idx.forEach((original, r) => {
        byIndex.set(
          original,
          means.map((m) => m.slice(r * H, (r + 1) * H)),
        );
      });
      progress.update({ done: Math.min(start + batchSize, order.length), total: order.length });
    }
    for (let i = 0; i < tokenIds.length; i++) out.push(byIndex.get(i)!);
    progress.stop();
    return out;
  }

  /** Write a complete HF folder (config, weights, generation config, tokenizer files). */
  async save(dir: string, opts: { dtype?: "F32" | "BF16"; maxShardBytes?: number } = {}): Promise<void> {
    this.check();
    await writeModelFolder(dir, {
      config: this.config,
      tensors: await this.weights(),
      tokenizer: this.tokenizer,
      generationConfig: this.generationConfig,
      dtype: opts.dtype,
      maxShardBytes: opts.maxShardBytes,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    const ort = this.ort;
    if (ort) void ort.then((o) => o.release()).catch(() => undefined);
    this.ortWeights = null;
    this.store.dispose();
    this.disposed = true;
  }

  /** Token ids that end generation: tokenizer eos, config eos and generation_config eos. */
  stopTokenIds(): Set<number> {
    const ids = new Set<number>();
    const add = (v: unknown) => {
      if (typeof v === "number") ids.add(v);
      else if (Array.isArray(v)) for (const x of v) if (typeof x === "number") ids.add(x);
    };
    add(this.config.eosTokenId);
    add(this.generationConfig.eos_token_id);
    if (this.tokenizer?.eosTokenId !== null && this.tokenizer?.eosTokenId !== undefined)
      ids.add(this.tokenizer.eosTokenId);
    return ids;
  }

  private padId(): number {
    const g = this.generationConfig.pad_token_id;
    if (typeof g === "number") return g;
    if (this.config.padTokenId !== null) return this.config.padTokenId;
    if (this.tokenizer?.padTokenId !== null && this.tokenizer?.padTokenId !== undefined)
      return this.tokenizer.padTokenId;
    const eos = [...this.stopTokenIds()][0];
    return eos ?? 0;
  }

  private requireTokenizer(what: string): Tokenizer {
    if (!this.tokenizer)
      throw new CftkitError(
        "LM_NO_TOKENIZER",
        `${this.dir ?? "model"}: ${what} needs a tokenizer (tokenizer.json + tokenizer_config.json), the folder has none`,
      );
    return this.tokenizer;
  }

  private checkIds(rows: number[][]): void {
    if (rows.length === 0) throw new CftkitError("LM_BAD_INPUT", "no token rows given");
    // Positions past max_position_embeddings were never trained (dynamic RoPE scaling is made for them).
    const maxLength =
      this.config.ropeScaling?.type === "dynamic"
        ? Number.POSITIVE_INFINITY
        : this.config.maxPositionEmbeddings;
    for (const r of rows) {
      if (r.length === 0) throw new CftkitError("LM_BAD_INPUT", "a token row is empty");
      if (r.length > maxLength)
        throw new CftkitError(
          "LM_TOO_MANY_TOKENS",
          `${r.length} token ids, but the model handles at most max_position_embeddings = ${maxLength} positions (config.json); pass at most ${maxLength} ids`,
        );
      for (const t of r)
        if (!Number.isInteger(t) || t < 0 || t >= this.config.vocabSize)
          throw new CftkitError(
            "LM_BAD_TOKEN_ID",
            `token id ${t} is outside the vocabulary [0, ${this.config.vocabSize})`,
          );
    }
  }

  private check(): void {
    if (this.disposed)
      throw new CftkitError("LM_DISPOSED", "this CausalLM has been disposed", { exitCode: 1 });
  }
}

/** Bytes one forward's attention scores may take (rows × heads × length² float32). */
const ATTENTION_BYTES_PER_FORWARD = 256 * 1024 ** 2;

/**
 * Indices grouped into forward batches: sorted by length (little padding), at most `batchSize` rows, and
 * rows × heads × length² × 4 bytes within {@link ATTENTION_BYTES_PER_FORWARD} — a batch of long texts
 * padded to its longest row would otherwise hold gigabytes of attention scores.
 */
export function lengthBatches(lengths: readonly number[], batchSize: number, heads: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = lengths[i]!; // sorted: the newest row is the longest
    const bytes = (current.length + 1) * heads * longest * longest * 4;
    if (current.length > 0 && (current.length >= batchSize || bytes > ATTENTION_BYTES_PER_FORWARD)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
