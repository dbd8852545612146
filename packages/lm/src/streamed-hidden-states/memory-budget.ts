/**
 * Whether a model is held in memory or streamed a layer at a time. The in-memory engine keeps every weight
 * as float32 twice (the tfjs tensors in the wasm heap and the copies onnxruntime reads), and the wasm heap
 * stops at 4 GiB.
 */
import { totalmem } from "node:os";
import { type ModelConfig, parameterCount } from "../model-config.js";

const WASM_HEAP_LIMIT = 4 * 1024 ** 3;

/** Default budget: half the machine's memory. */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() / 2);
}

/** Bytes the in-memory engine needs for the weights of `config`. */
export function inMemoryWeightBytes(config: ModelConfig): number {
  return 2 * 4 * parameterCount(config);
}

/** Null when the model fits in memory, else the reason to stream it. */
export function reasonToStream(config: ModelConfig, budgetBytes = defaultMemoryBudget()): string | null {
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  const float32 = 4 * parameterCount(config);
  if (float32 >= WASM_HEAP_LIMIT * 0.9)
    return `its ${gib(float32)} of float32 weights do not fit the in-memory engine's 4 GiB wasm heap`;
  const needed = inMemoryWeightBytes(config);
  if (needed > budgetBytes)
    return `holding it takes about ${gib(needed)}, over the memory budget of ${gib(budgetBytes)}`;
  return null;
}
