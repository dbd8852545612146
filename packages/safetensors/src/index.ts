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
export { MAX_HEADER_SIZE, parseHeader, type ParsedHeader } from "./header.js";
export { toFloat32, fromFloat32 } from "./convert.js";
export { bf16SimdAvailable } from "./bf16-simd.js";
export {
  type TensorToWrite,
  type TensorSpec,
  SafetensorsWriter,
  ShardedSafetensorsWriter,
  writeSafetensors,
  writeShardedSafetensors,
} from "./writer.js";
export { parseParameterName, type ParsedParameterName } from "./parameter-name.js";
export { ChunkScratch, readTensorChunks } from "./tensor-chunks.js";
export { SAFETENSORS_ERROR_CODES } from "./error-codes.js";
export { DECODER_LINEAR_MODULES } from "./decoder-modules.js";
export {
  type CheckpointListing,
  describeCheckpoint,
  listCheckpoint,
} from "./checkpoint-listing.js";
