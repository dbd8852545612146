/** The dtypes of the safetensors format (huggingface/safetensors). */
export type Dtype =
  | "BOOL"
  | "U8"
  | "I8"
  | "I16"
  | "U16"
  | "F16"
  | "BF16"
  | "I32"
  | "U32"
  | "F32"
  | "F64"
  | "I64"
  | "U64"
  | "F8_E4M3"
  | "F8_E5M2";

/** Bytes per element of each dtype. */
export const DTYPE_SIZES: Readonly<Record<Dtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export function isDtype(value: unknown): value is Dtype {
  return typeof value === "string" && Object.hasOwn(DTYPE_SIZES, value);
}

/** Bytes per element of `dtype`. */
export function dtypeSize(dtype: Dtype): number {
  return DTYPE_SIZES[dtype];
}
