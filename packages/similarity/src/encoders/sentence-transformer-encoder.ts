import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  CftkitError,
  importOptional,
  isCftkitError,
  type ProgressReporter,
  silentProgress,
} from "@cftkit/core";
import type { FeatureExtractionPipeline } from "@huggingface/transformers";
import {
  embedTokens,
  MEAN_POOLING_LAYOUT,
  readSentenceTransformersLayout,
  type SentenceTransformersLayout,
} from "./sentence-transformers-layout.js";
import type { TextEncoder } from "./text-encoder.js";

/**
 * The paper's encoder: LaBSE, in the ONNX export transformers.js uses. A hub id is mean-pooled (its
 * sentence-transformers modules are not fetched); for LaBSE's own pooling give a local sentence-transformers
 * folder (modules.json, 1_Pooling/, 2_Dense/ with model.safetensors, onnx/model.onnx).
 */
export const DEFAULT_SENTENCE_MODEL = "Xenova/LaBSE";

export interface SentenceEncoderOptions {
  /** A Hugging Face model id or a local folder (config.json, tokenizer.json, onnx/model.onnx). */
  model?: string;
  /** Never touch the network: only a local folder or the local cache may be used. */
  offline?: boolean;
  /** Where downloaded models are cached. */
  cacheDir?: string;
  batchSize?: number;
}

/** One text's transformer outputs, padding cut away. */
export interface TokenOutputs {
  ids: number[];
  /** [ids.length, dim] row-major. */
  hidden: Float32Array;
  dim: number;
}

/** The parts of transformers.js' pipeline used here: its tokenizer and model, called directly. */
interface TokenizerAndModel {
  tokenizer: (
    texts: string[],
    options: { padding: boolean; truncation: boolean; max_length?: number },
  ) => { input_ids: TensorLike; attention_mask: TensorLike };
  model: (inputs: Record<string, unknown>) => Promise<Record<string, TensorLike | undefined>>;
}
interface TensorLike {
  dims: number[];
  data: ArrayLike<number | bigint>;
}

/**
 * Sentence embeddings from an ONNX transformer (transformers.js) followed by the modules a sentence-transformers
 * folder declares (modules.json: Pooling, Dense, Normalize), so LaBSE embeds as sentence-transformers' LaBSE
 * does (CLS → Dense(tanh) → normalise). A folder without modules.json, or a hub id, is mean-pooled and
 * L2-normalised, and says so in its `id`.
 */
export class SentenceTransformerEncoder implements TextEncoder {
  private constructor(
    readonly id: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
    readonly layout: SentenceTransformersLayout,
  ) {}

  static async load(options: SentenceEncoderOptions = {}): Promise<SentenceTransformerEncoder> {
    const model = options.model ?? DEFAULT_SENTENCE_MODEL;
    const transformers = await importOptional(
      "@huggingface/transformers",
      "the sentence encoder (LaBSE)",
      () => import("@huggingface/transformers"),
    );
    const { env, pipeline } = transformers;
    const localDir = existsSync(model) ? resolve(model) : null;
    if (localDir) {
      env.allowLocalModels = true;
      env.localModelPath = "/";
    }
    if (options.offline || localDir) env.allowRemoteModels = false;
    if (options.cacheDir) env.cacheDir = options.cacheDir;
    try {
      // transformers.js types `pipeline` as a union over every task, too complex for tsc: narrow it.
      const featureExtraction = pipeline as unknown as (
        task: "feature-extraction",
        model: string,
        options: { local_files_only: boolean; dtype: "fp32" },
      ) => Promise<FeatureExtractionPipeline>;
      const extractor = await featureExtraction("feature-extraction", localDir ?? model, {
        local_files_only: Boolean(options.offline || localDir),
        dtype: "fp32",
      });
      const layout =
        (localDir ? await readSentenceTransformersLayout(localDir) : null) ?? MEAN_POOLING_LAYOUT;
      const id = `${localDir ?? model} [${layout.modules.join(" → ")}]`;
      return new SentenceTransformerEncoder(id, extractor, options.batchSize ?? 32, layout);
    } catch (error) {
      if (isCftkitError(error)) throw error;
      throw new CftkitError(
        "ENCODER_UNAVAILABLE",
        `cannot load the sentence encoder "${model}"${localDir ? "" : options.offline ? " offline" : ""}: ${(error as Error).message}. ` +
          `DES needs a sentence-embedding model: on a machine with network, run once without --offline to cache ${model} ` +
          "(or download its ONNX export: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx) and pass " +
          "--model <folder>; or use --encoder lm --model <causal-lm folder> for the model-specific variant.",
        { cause: error },
      );
    }
  }

  async embed(texts: string[], options: { progress?: ProgressReporter } = {}): Promise<Float32Array[]> {
    const progress = options.progress ?? silentProgress;
    const out: Float32Array[] = [];
    progress.start(`embed ${this.id}`, texts.length);
    for (let i = 0; i < texts.length; i += this.batchSize) {
      for (const t of await this.tokenOutputs(texts.slice(i, i + this.batchSize))) {
        out.push(embedTokens(this.layout, t.hidden, t.dim));
      }
      progress.update({ done: out.length });
    }
    progress.stop();
    return out;
  }

  /** The transformer's token outputs for a batch (padded together, then cut back to each text's tokens). */
  async tokenOutputs(texts: string[]): Promise<TokenOutputs[]> {
    const { tokenizer, model } = this.extractor as unknown as TokenizerAndModel;
    const max = this.layout.maxSeqLength;
    const inputs = tokenizer(texts, { padding: true, truncation: true, ...(max ? { max_length: max } : {}) });
    const outputs = await model(inputs as unknown as Record<string, unknown>);
    const hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
    if (!hidden)
      throw new CftkitError("ENCODER_BAD_FOLDER", `${this.id}: the model has no last_hidden_state`);
    const [rows, seq, dim] = hidden.dims as [number, number, number];
    const data = hidden.data as Float32Array;
    const ids = inputs.input_ids.data;
    const mask = inputs.attention_mask.data;
    const result: TokenOutputs[] = [];
    for (let r = 0; r < rows; r++) {
      const keep: number[] = [];
      for (let t = 0; t < seq; t++) if (Number(mask[r * seq + t]) !== 0) keep.push(t);
      const tokens = new Float32Array(keep.length * dim);
      for (const [k, t] of keep.entries()) {
        tokens.set(data.subarray((r * seq + t) * dim, (r * seq + t + 1) * dim), k * dim);
      }
      result.push({ ids: keep.map((t) => Number(ids[r * seq + t])), hidden: tokens, dim });
    }
    return result;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}
