import { CftkitError } from "@cftkit/core";

export interface BatchLayout {
  globalBatchSize: number;
  worldSize: number;
  microBatchSize: number;
  gradientAccumulationSteps: number;
}

/**
 * Split a global batch over `worldSize` devices so that micro × accumulation × world = global exactly.
 * With `microBatchSize` given it must divide global/world; otherwise the largest divisor of global/world
 * that is ≤ `maxMicroBatchSize` is used (fewest accumulation steps that fit memory).
 */
export function deriveBatchLayout(options: {
  globalBatchSize: number;
  worldSize: number;
  microBatchSize?: number;
  maxMicroBatchSize?: number;
}): BatchLayout {
  const { globalBatchSize, worldSize } = options;
  if (!Number.isInteger(globalBatchSize) || globalBatchSize <= 0) {
    throw new CftkitError(
      "TRAIN_BATCH_IMPOSSIBLE",
      `global batch size must be a positive integer, got ${globalBatchSize}`,
    );
  }
  if (!Number.isInteger(worldSize) || worldSize <= 0) {
    throw new CftkitError(
      "TRAIN_BATCH_IMPOSSIBLE",
      `world size must be a positive integer, got ${worldSize}`,
    );
  }
  if (globalBatchSize % worldSize !== 0) {
    throw new CftkitError(
      "TRAIN_BATCH_IMPOSSIBLE",
      `global batch ${globalBatchSize} cannot be split evenly over ${worldSize} GPUs (micro_batch_size × gradient_accumulation_steps × ${worldSize} must equal ${globalBatchSize}); use a GPU count that divides it or change global_batch_size`,
    );
  }
  const perDevice = globalBatchSize / worldSize;
  let micro = options.microBatchSize;
  if (micro !== undefined) {
    if (!Number.isInteger(micro) || micro <= 0 || perDevice % micro !== 0) {
      throw new CftkitError(
        "TRAIN_BATCH_IMPOSSIBLE",
        `micro_batch_size ${micro} does not divide the per-GPU batch ${perDevice} (global ${globalBatchSize} / ${worldSize} GPUs); pick a divisor of ${perDevice}`,
      );
    }
  } else {
    const cap = Math.max(1, options.maxMicroBatchSize ?? 4);
    micro = 1;
    for (let m = Math.min(cap, perDevice); m >= 1; m--) {
      if (perDevice % m === 0) {
        micro = m;
        break;
      }
    }
  }
  return { globalBatchSize, worldSize, microBatchSize: micro, gradientAccumulationSteps: perDevice / micro };
}
