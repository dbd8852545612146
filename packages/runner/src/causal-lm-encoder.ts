import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ProgressReporter } from "@cftkit/core";
import { CausalLM, readModelConfig, reasonToStream } from "@cftkit/lm";
import type { TextEncoder } from "@cftkit/similarity";
import { modelMeanHiddenStates } from "./model-hidden-states.js";

/** A model too big to hold: its folder, read one decoder layer at a time on every embed(). */
interface StreamedModel {
  dir: string;
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
    return new CausalLmEncoder(`causal-lm:${dir}`, { dir: resolve(dir) }, batchSize);
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
    const workDir = await mkdtemp(join(tmpdir(), "cftkit-lm-encoder-"));
    try {
      const perPrompt = await modelMeanHiddenStates(this.model.dir, texts, {
        workDir,
        memoryBudgetBytes: 0, // load() already chose streaming for this model
        ...(options.progress ? { progress: options.progress } : {}),
      });
      return perPrompt.map((layers) => layers[layers.length - 1]!);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  dispose(): void {
    if (this.model instanceof CausalLM) this.model.dispose();
  }
}
