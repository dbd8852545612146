export { type Dtype, DTYPE_SIZES, dtypeSize, isDtype } from "./dtype.js";
export { type TensorInfo, elementCount } from "./tensor-info.js";
export {
  SafetensorsCheckpoint,
  type IterateOptions,
  type IterateChunksOptions,
  type TensorChunk,
  SINGLE_FILE_NAME,
  INDEX_FILE_NAME,
} from "./checkpoint.js";
export { MAX_HEADER_SIZE, parseHeader, checkHeaderLength, type ParsedHeader } from "./header.js";
export {
  toFloat32,
  widenInPlace,
  fromFloat32,
  f16BitsToNumber,
  f32BitsToF16,
  f32BitsToBf16,
  f8e4m3BitsToNumber,
  f8e5m2BitsToNumber,
} from "./convert.js";
export { bf16SimdAvailable } from "./bf16-simd.js";
export {
  type TensorToWrite,
  type TensorSpec,
  SafetensorsWriter,
  ShardedSafetensorsWriter,
  writeSafetensors,
  writeShardedSafetensors,
  encodeHeader,
  shardFileName,
  planShards,
  tensorByteLength,
} from "./writer.js";
export { parseParameterName, type ParsedParameterName } from "./parameter-name.js";
export { ChunkScratch, readTensorChunks } from "./tensor-chunks.js";
export { SAFETENSORS_ERROR_CODES } from "./error-codes.js";
export { DECODER_LINEAR_MODULES } from "./decoder-modules.js";
