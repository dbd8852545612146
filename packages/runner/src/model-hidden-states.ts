import { resolve } from "node:path";
import type { ProgressReporter } from "@cftkit/core";
import {
  CausalLM,
  loadTokenizer,
  readModelConfig,
  reasonToStream,
  streamedMeanHiddenStates,
} from "@cftkit/lm";

export interface ModelHiddenStatesOptions {
  progress?: ProgressReporter;
  /** Tokens per prompt at most (cut after tokenizing, BOS included). */
  maxTokens?: number;
  /** Where the layer-streamed engine keeps its per-layer results, so a killed run resumes there. */
  workDir: string;
  /** Stream the model when holding it would take more than this (default: the engine's budget). */
  memoryBudgetBytes?: number;
  /** Told why a model is streamed. */
  log?: (line: string) => void;
  /** Only the last hidden state is needed (DES): the in-memory engine still computes all of them. */
  batchSize?: number;
}

/**
 * Per prompt, the mean over tokens of every hidden state (embeddings … after the final norm), from a model
 * held in memory when it fits, else read one decoder layer at a time (same numbers, any model size).
 */
export async function modelMeanHiddenStates(
  dir: string,
  texts: string[],
  options: ModelHiddenStatesOptions,
): Promise<Float32Array[][]> {
  const config = await readModelConfig(dir);
  const reason = reasonToStream(config, options.memoryBudgetBytes);
  const maxTokens = Math.min(options.maxTokens ?? Number.POSITIVE_INFINITY, config.maxPositionEmbeddings);
  if (reason === null) {
    const lm = await CausalLM.load(dir);
    try {
      return await lm.meanHiddenStates(texts, {
        maxTokens,
        ...(options.progress ? { progress: options.progress } : {}),
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      });
    } finally {
      lm.dispose();
    }
  }
  options.log?.(`${dir}: streamed layer by layer (${reason})`);
  const tokenizer = await loadTokenizer(dir);
  // Tokenized as CausalLM.meanHiddenStates does: special tokens (BOS) included, cut at maxTokens.
  const ids = texts.map((t) => tokenizer.encode(t, { addSpecialTokens: true }).slice(0, maxTokens));
  const result = await streamedMeanHiddenStates(resolve(dir), ids, {
    workDir: options.workDir,
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const H = config.hiddenSize;
  return texts.map((_, s) => result.layers.map((layer) => layer.slice(s * H, (s + 1) * H)));
}
