/**
 * Error codes thrown by @cftkit/safetensors, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const SAFETENSORS_ERROR_CODES = {
  SAFETENSORS_BYTE_LENGTH_MISMATCH: "a tensor's data_offsets span does not match its dtype and shape",
  SAFETENSORS_CLOSED: "a checkpoint was read after it was closed",
  SAFETENSORS_DUPLICATE_TENSOR: "a tensor name appears twice in the header",
  SAFETENSORS_FILE_TOO_SHORT: "the file is shorter than the 8-byte header length",
  SAFETENSORS_HEADER_INVALID_JSON: "the header is not valid JSON",
  SAFETENSORS_HEADER_NOT_OBJECT: "the header is not a JSON object",
  SAFETENSORS_HEADER_NOT_UTF8: "the header is not valid UTF-8",
  SAFETENSORS_HEADER_TOO_LARGE: "the header length exceeds the limit",
  SAFETENSORS_HEADER_TRUNCATED: "the header length exceeds the file",
  SAFETENSORS_INDEX_INVALID: "model.safetensors.index.json is malformed",
  SAFETENSORS_INDEX_TENSOR_MISSING: "the index maps a tensor to a shard that lacks it",
  SAFETENSORS_INVALID_ENTRY: "a header entry is not an object with dtype, shape, data_offsets",
  SAFETENSORS_INVALID_METADATA: "__metadata__ is not an object of strings",
  SAFETENSORS_INVALID_OFFSETS: "data_offsets is not a pair of non-negative integers",
  SAFETENSORS_INVALID_SHAPE: "shape is not a list of non-negative integers",
  SAFETENSORS_NOT_FOUND: "the file or folder does not exist",
  SAFETENSORS_NO_FILES: "a folder holds no safetensors file",
  SAFETENSORS_OFFSET_GAP: "tensor data leaves a gap between tensors",
  SAFETENSORS_OVERLAPPING_OFFSETS: "two tensors' data overlap",
  SAFETENSORS_SHARD_MISSING: "a shard named in the index does not exist",
  SAFETENSORS_TENSOR_NOT_FOUND: "no tensor of that name",
  SAFETENSORS_TRAILING_BYTES: "bytes follow the last tensor",
  SAFETENSORS_TRUNCATED: "the file ends before the last tensor's data",
  SAFETENSORS_UNKNOWN_DTYPE: "a tensor's dtype is unknown",
  SAFETENSORS_UNREADABLE: "the file cannot be opened",
  SAFETENSORS_WRITE_INVALID: "tensors given to the writer are inconsistent",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof SAFETENSORS_ERROR_CODES, string> {}
}
