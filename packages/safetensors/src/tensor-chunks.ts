import { open } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";
import { dtypeSize } from "./dtype.js";
import { toFloat32 } from "./convert.js";
import type { TensorInfo } from "./tensor-info.js";

/** Reusable buffers for {@link readTensorChunks}; pass the same one for every tensor of a scan. */
export class ChunkScratch {
  bytes: Uint8Array;
  values: Float32Array;
  constructor(readonly chunkElements = 1 << 20) {
    this.bytes = new Uint8Array(chunkElements * 8);
    this.values = new Float32Array(chunkElements);
  }
}

/**
 * Read one tensor as consecutive float32 chunks of at most `scratch.chunkElements` values into the same
 * two buffers: memory stays at a few MB however large the tensor or checkpoint (reuse one scratch across
 * tensors — fresh buffers per tensor pile up as external memory faster than V8 collects it). A yielded
 * array is only valid until the next iteration (copy it to keep it).
 */
export async function* readTensorChunks(
  info: TensorInfo,
  scratch = new ChunkScratch(),
): AsyncGenerator<Float32Array> {
  const size = dtypeSize(info.dtype);
  const chunkElements = scratch.chunkElements;
  const bytes = scratch.bytes.subarray(0, chunkElements * size);
  const values = scratch.values;
  const handle = await open(info.file, "r");
  try {
    for (let done = 0; done < info.byteLength; ) {
      const length = Math.min(bytes.length, info.byteLength - done);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(
          bytes,
          filled,
          length - filled,
          info.byteOffset + done + filled,
        );
        if (bytesRead === 0) {
          throw new CftkitError(
            "SAFETENSORS_TRUNCATED",
            `${info.file}: file ends inside tensor ${info.name}`,
            {
              details: { file: info.file, tensor: info.name },
            },
          );
        }
        filled += bytesRead;
      }
      const n = length / size;
      yield toFloat32(bytes.subarray(0, length), info.dtype, values.subarray(0, n));
      done += length;
    }
  } finally {
    await handle.close();
  }
}
