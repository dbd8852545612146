import type { SeededRandom } from "@cftkit/core";
import type { TensorToWrite } from "@cftkit/safetensors";
import type { AdamWState } from "./adamw.js";
import type { PaddedBatch } from "./training-batch.js";

/**
 * Which engine computes the training steps: `ort` (default) runs forward and backward as one generated
 * onnxruntime graph per micro-batch with a fused AdamW over typed arrays; `tfjs` is the earlier engine
 * (tfjs autograd on the wasm backend), kept for comparison. Both give the same losses and gradients to
 * float32 tolerance.
 */
export type TrainEngineName = "ort" | "tfjs";

/** What the training loop needs from an engine; it owns the parameters, gradients and optimizer state. */
export interface TrainEngine {
  readonly trainableParameters: number;
  readonly totalParameters: number;
  /**
   * Forward and backward of one micro-batch for the loss Σ NLL / `lossTokens`; its gradients are added
   * to the accumulated ones. Returns this micro-batch's share of the loss. `dropoutRng` draws LoRA dropout.
   */
  accumulate(batch: PaddedBatch, lossTokens: number, dropoutRng: SeededRandom): Promise<number>;
  /** Clip the accumulated gradients by global norm, apply AdamW with `lr`, clear them; returns the pre-clip norm. */
  update(maxGradNorm: number, lr: number): number;
  /** Σ NLL over the counted positions of a batch (no dropout, no gradients). */
  evalLossSum(batch: PaddedBatch): Promise<number>;
  /** Tensors a checkpoint stores: every base weight (full/selective) or the adapters (LoRA), F32. */
  checkpointTensors(): TensorToWrite[];
  /** Restore the trainable tensors from a checkpoint's tensors (throws LM_BAD_CHECKPOINT naming `where`). */
  loadTrainable(tensors: ReadonlyMap<string, Float32Array>, where: string): void;
  optimizerState(): { state: AdamWState; shapes: Map<string, number[]> };
  setOptimizerState(state: AdamWState): void;
  readonly optimizerStep: number;
  /** The complete model's weights (LoRA: merged), in parameter order, to be written as `dtype`. */
  modelTensors(dtype: "F32" | "BF16"): TensorToWrite[];
  /** LoRA only: adapter tensors in PEFT layout and `adapter_config.json`. */
  adapters(baseModel: string): { tensors: TensorToWrite[]; config: Record<string, unknown> } | null;
  dispose(): Promise<void>;
}
