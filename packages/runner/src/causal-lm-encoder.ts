import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ProgressReporter } from "@cftkit/core";
import {
  CausalLM,
  type Tokenizer,
  loadTokenizer,
  readModelConfig,
  reasonToStream,
  streamedMeanHiddenStates,
} from "@cftkit/lm";
import type { TextEncoder } from "@cftkit/similarity";

/** A model too big to hold: its folder, read one decoder layer at a time on every embed(). */
interface StreamedModel {
  dir: string;
  tokenizer: Tokenizer;
  maxTokens: number;
  hiddenSize: number;
}

/**
 * Model-specific embeddings: the mean over tokens of a causal LM's last hidden state (after the final
 * norm), from @cftkit/lm. Useful to ask how similar two data sets look to the model being tuned. Models that
 * do not fit the memory budget go through the layer-streamed engine (same numbers, any size).
 */
export class CausalLmEncoder implements TextEncoder {
  private constructor(
    readonly id: string,
    private readonly model: CausalLM | StreamedModel,
    private readonly batchSize: number,
  ) {}

  /** `memoryBudgetBytes`: stream the model when holding it would take more (default: half the memory). */
  static async load(
    dir: string,
    options: { batchSize?: number; memoryBudgetBytes?: number } = {},
  ): Promise<CausalLmEncoder> {
    const config = await readModelConfig(dir);
    const batchSize = options.batchSize ?? 8;
    if (reasonToStream(config, options.memoryBudgetBytes) === null)
      return new CausalLmEncoder(`causal-lm:${dir}`, await CausalLM.load(dir), batchSize);
    const streamed: StreamedModel = {
      dir: resolve(dir),
      tokenizer: await loadTokenizer(dir),
      maxTokens: config.maxPositionEmbeddings,
      hiddenSize: config.hiddenSize,
    };
    return new CausalLmEncoder(`causal-lm:${dir}`, streamed, batchSize);
  }

  static fromModel(model: CausalLM, id: string, options: { batchSize?: number } = {}): CausalLmEncoder {
    return new CausalLmEncoder(`causal-lm:${id}`, model, options.batchSize ?? 8);
  }

  /** True when the model is read layer by layer instead of held in memory. */
  get streamed(): boolean {
    return !(this.model instanceof CausalLM);
  }

  async embed(texts: string[], options: { progress?: ProgressReporter } = {}): Promise<Float32Array[]> {
    if (this.model instanceof CausalLM) {
      const perLayer = await this.model.meanHiddenStates(texts, {
        batchSize: this.batchSize,
        progress: options.progress,
      });
      return perLayer.map((layers) => layers[layers.length - 1]!);
    }
    const { dir, tokenizer, maxTokens, hiddenSize } = this.model;
    // Tokenized as CausalLM.meanHiddenStates does: special tokens (BOS) included, cut at the context length.
    const ids = texts.map((t) => tokenizer.encode(t, { addSpecialTokens: true }).slice(0, maxTokens));
    const workDir = await mkdtemp(join(tmpdir(), "cftkit-lm-encoder-"));
    try {
      const result = await streamedMeanHiddenStates(dir, ids, { workDir, progress: options.progress });
      const last = result.layers[result.layers.length - 1]!;
      return texts.map((_, i) => last.slice(i * hiddenSize, (i + 1) * hiddenSize));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  dispose(): void {
    if (this.model instanceof CausalLM) this.model.dispose();
  }
}
