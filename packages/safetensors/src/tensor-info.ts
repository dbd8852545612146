import type { Dtype } from "./dtype.js";

/** Where one tensor lives. */
export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Absolute path of the .safetensors file holding it. */
  file: string;
  /** Absolute byte offset of the tensor's data in `file`. */
  byteOffset: number;
  byteLength: number;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
