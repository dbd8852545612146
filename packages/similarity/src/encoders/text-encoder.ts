import type { ProgressReporter } from "@cftkit/core";

/** Turns texts into embedding vectors. `id` names the model so cached vectors are never mixed up. */
export interface TextEncoder {
  readonly id: string;
  embed(texts: string[], options?: { progress?: ProgressReporter }): Promise<Float32Array[]>;
  dispose?(): Promise<void> | void;
}
