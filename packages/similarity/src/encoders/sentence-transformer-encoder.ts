import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { CftkitError, importOptional, type ProgressReporter, silentProgress } from "@cftkit/core";
import type { FeatureExtractionPipeline } from "@huggingface/transformers";
import type { TextEncoder } from "./text-encoder.js";

/** The paper's encoder: LaBSE, in the ONNX export transformers.js uses. */
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

/**
 * Sentence embeddings through @huggingface/transformers' feature-extraction pipeline: mean pooling over
 * the attention mask, L2-normalised (how sentence-transformers' LaBSE is used for DES).
 */
export class SentenceTransformerEncoder implements TextEncoder {
  private constructor(
    readonly id: string,
    private readonly extractor: FeatureExtractionPipeline,
    private readonly batchSize: number,
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
      return new SentenceTransformerEncoder(localDir ?? model, extractor, options.batchSize ?? 32);
    } catch (error) {
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
      const batch = texts.slice(i, i + this.batchSize);
      const tensor = await this.extractor(batch, { pooling: "mean", normalize: true });
      const [rows, dim] = tensor.dims as [number, number];
      const data = tensor.data as Float32Array;
      for (let r = 0; r < rows; r++) out.push(Float32Array.from(data.subarray(r * dim, (r + 1) * dim)));
      progress.update({ done: out.length });
    }
    progress.stop();
    return out;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}
