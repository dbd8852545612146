import type { ProgressReporter } from "@cftkit/core";
import { CausalLM } from "@cftkit/lm";
import type { TextEncoder } from "@cftkit/similarity";

/**
 * Model-specific embeddings: the mean over tokens of a causal LM's last hidden state (after the final
 * norm), from @cftkit/lm. Useful to ask how similar two data sets look to the model being tuned.
 */
export class CausalLmEncoder implements TextEncoder {
  private constructor(
    readonly id: string,
    private readonly model: CausalLM,
    private readonly batchSize: number,
  ) {}

  static async load(dir: string, options: { batchSize?: number } = {}): Promise<CausalLmEncoder> {
    return new CausalLmEncoder(`causal-lm:${dir}`, await CausalLM.load(dir), options.batchSize ?? 8);
  }

  static fromModel(model: CausalLM, id: string, options: { batchSize?: number } = {}): CausalLmEncoder {
    return new CausalLmEncoder(`causal-lm:${id}`, model, options.batchSize ?? 8);
  }

  async embed(texts: string[], options: { progress?: ProgressReporter } = {}): Promise<Float32Array[]> {
    const perLayer = await this.model.meanHiddenStates(texts, {
      batchSize: this.batchSize,
      progress: options.progress,
    });
    return perLayer.map((layers) => layers[layers.length - 1]!);
  }

  dispose(): void {
    this.model.dispose();
  }
}
