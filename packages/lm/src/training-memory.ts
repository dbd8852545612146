import { freemem } from "node:os";
import { CftkitError } from "@cftkit/core";
import type { ModelConfig } from "./model-config.js";
import type { TrainEngineName } from "./train-engine.js";

/** tfjs' wasm backend addresses at most 4 GiB, whatever the machine has. */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export interface TrainingMemoryEstimate {
  /** Weights, gradient sums and the two AdamW moments. */
  stateBytes: number;
  /** Activations kept for the backward pass of one micro-batch, and its logits. */
  activationBytes: number;
  totalBytes: number;
}

/**
 * Upper estimate of training memory for one micro-batch of `rows` × `length` tokens: per layer the graph
 * keeps about 8 hidden-size, 6 projection-size and 6 MLP-size float32 vectors per token, and 3 attention
 * matrices (scores, probabilities and their gradient) per head; the head keeps 4 vocabulary-size vectors
 * per token. The tfjs engine keeps about four times as many intermediates (copies, masks, gradients).
 */
export function estimateTrainingMemory(
  config: ModelConfig,
  opts: {
    parameters: number;
    trainableParameters: number;
    rows: number;
    length: number;
    engine: TrainEngineName;
  },
): TrainingMemoryEstimate {
  const tokens = opts.rows * opts.length;
  const proj = config.numAttentionHeads * config.headDim;
  const perLayer =
    tokens * (8 * config.hiddenSize + 6 * proj + 6 * config.intermediateSize) +
    3 * opts.rows * config.numAttentionHeads * opts.length * opts.length;
  const floats = config.numHiddenLayers * perLayer + 4 * tokens * config.vocabSize;
  const activationBytes = 4 * floats * (opts.engine === "tfjs" ? 4 : 1);
  const stateBytes = 4 * (opts.parameters + 4 * opts.trainableParameters);
  return { stateBytes, activationBytes, totalBytes: stateBytes + activationBytes };
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/**
 * Refuse, before any work, a micro-batch that would not fit: the ort engine's limit is the memory the
 * machine has free (or `budgetBytes`), the tfjs engine's the 4 GiB wasm heap. The message names the
 * settings to change and the largest micro-batch that fits.
 */
export function checkTrainingMemory(
  config: ModelConfig,
  opts: {
    parameters: number;
    trainableParameters: number;
    microBatchSize: number;
    longest: number;
    engine: TrainEngineName;
    budgetBytes?: number;
  },
): TrainingMemoryEstimate {
  const budget = Math.min(
    opts.budgetBytes ?? freemem(),
    opts.engine === "tfjs" ? WASM_HEAP_BYTES : Number.POSITIVE_INFINITY,
  );
  const at = (rows: number) => estimateTrainingMemory(config, { ...opts, rows, length: opts.longest });
  const estimate = at(opts.microBatchSize);
  if (estimate.totalBytes <= 0.9 * budget) return estimate;
  let fits = opts.microBatchSize - 1;
  while (fits > 0 && at(fits).totalBytes > 0.9 * budget) fits--;
  const advice =
    fits > 0
      ? `lower --micro-batch to ${fits} or less (the global --batch stays; gradients accumulate)`
      : `lower --seq-len (now the longest example has ${opts.longest} tokens)`;
  throw new CftkitError(
    "LM_TRAIN_OUT_OF_MEMORY",
    `training needs about ${gb(estimate.totalBytes)} (${gb(estimate.activationBytes)} of activations for micro-batch ${opts.microBatchSize} × ${opts.longest} tokens, ${gb(estimate.stateBytes)} of weights and optimizer state) but ${opts.engine === "tfjs" ? "the tfjs engine's wasm heap holds 4 GB" : `about ${gb(budget)} is free`}: ${advice}`,
    {
      details: {
        ...estimate,
        budgetBytes: budget,
        microBatchSize: opts.microBatchSize,
        longest: opts.longest,
        fitsMicroBatch: fits,
      },
    },
  );
}
