import { join } from "node:path";
import { AtomicFileWriter, CftkitError, writeJsonAtomic } from "@cftkit/core";
import { f32BitsToF16 } from "./convert.js";
import { DTYPE_SIZES, type Dtype, isDtype } from "./dtype.js";
import { INDEX_FILE_NAME } from "./checkpoint.js";
import { elementCount } from "./tensor-info.js";

/** A tensor to write from float32 values. */
export interface TensorToWrite {
  name: string;
  dtype: "F32" | "F16" | "BF16";
  shape: number[];
  data: Float32Array;
}

/** A tensor declared up front for the streaming writers (its data comes later). */
export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
}

function bad(message: string, details: Record<string, unknown> = {}): never {
  throw new CftkitError("SAFETENSORS_WRITE_INVALID", message, { details });
}

function checkSpecs(
  specs: readonly TensorSpec[],
  metadata: Record<string, string> | undefined,
  target: string,
): void {
  const seen = new Set<string>();
  for (const s of specs) {
    if (typeof s.name !== "string" || s.name.length === 0 || s.name === "__metadata__") {
      bad(`${target}: invalid tensor name ${JSON.stringify(s.name)}`);
    }
    if (seen.has(s.name)) bad(`${target}: tensor "${s.name}" is given twice`, { tensor: s.name });
    seen.add(s.name);
    if (!isDtype(s.dtype)) bad(`${target}: tensor "${s.name}": unknown dtype ${JSON.stringify(s.dtype)}`);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(
        `${target}: tensor "${s.name}": shape ${JSON.stringify(s.shape)} is not a list of non-negative integers`,
      );
    }
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") bad(`${target}: __metadata__["${k}"] is not a string`);
    }
  }
}

/** Bytes a tensor occupies in a file. */
export function tensorByteLength(spec: Pick<TensorSpec, "dtype" | "shape">): number {
  return elementCount(spec.shape) * DTYPE_SIZES[spec.dtype];
}

/**
 * The header bytes (8-byte length + JSON) for tensors stored back to back in the given order; the JSON is padded
 * with spaces to a multiple of 8 bytes, as the reference writer does.
 */
export function encodeHeader(specs: readonly TensorSpec[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const s of specs) {
    const length = tensorByteLength(s);
    header[s.name] = { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = Buffer.from(JSON.stringify(header), "utf8");
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

const CHUNK_ELEMENTS = 1 << 22;

/**
 * Streaming single-file writer: declare the tensors up front, then hand over their data one at a time, in that
 * order; the file appears (atomically) on commit(). Memory: one tensor at a time plus a small conversion buffer.
 */
export class SafetensorsWriter {
  private next = 0;
  private scratch: Uint16Array | null = null;

  private constructor(
    readonly path: string,
    private readonly specs: readonly TensorSpec[],
    private readonly out: AtomicFileWriter,
  ) {}

  static async open(
    path: string,
    specs: TensorSpec[],
    metadata?: Record<string, string>,
  ): Promise<SafetensorsWriter> {
    checkSpecs(specs, metadata, path);
    const header = encodeHeader(specs, metadata);
    const out = await AtomicFileWriter.open(path);
    try {
      await out.write(header);
    } catch (error) {
      await out.abort();
      throw error;
    }
    return new SafetensorsWriter(path, specs, out);
  }

  private expect(name: string): TensorSpec {
    const spec = this.specs[this.next];
    if (!spec) bad(`${this.path}: tensor "${name}" was not declared (or all tensors are written already)`);
    if (spec.name !== name)
      bad(`${this.path}: expected tensor "${spec.name}" next, got "${name}"`, { tensor: name });
    return spec;
  }

  /** Write the next tensor from float32 values (its declared dtype must be F32, F16 or BF16). */
  async write(name: string, data: Float32Array): Promise<void> {
    const spec = this.expect(name);
    const n = elementCount(spec.shape);
    if (data.length !== n) {
      bad(
        `${this.path}: tensor "${name}": shape ${JSON.stringify(spec.shape)} needs ${n} values, got ${data.length}`,
        {
          tensor: name,
        },
      );
    }
    if (spec.dtype === "F32") {
      await this.out.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else if (spec.dtype === "BF16" || spec.dtype === "F16") {
      const bits = new Uint32Array(data.buffer, data.byteOffset, n);
      const chunk = Math.min(n, CHUNK_ELEMENTS);
      if (!this.scratch || this.scratch.length < chunk) this.scratch = new Uint16Array(chunk);
      const dst = this.scratch;
      for (let start = 0; start < n; start += CHUNK_ELEMENTS) {
        const end = Math.min(n, start + CHUNK_ELEMENTS);
        if (spec.dtype === "BF16") {
          for (let i = start, j = 0; i < end; i++, j++) {
            const u = bits[i]!;
            dst[j] =
              (u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0
                ? (u >>> 16) | 0x40
                : (u + 0x7fff + ((u >>> 16) & 1)) / 65536;
          }
        } else {
          for (let i = start, j = 0; i < end; i++, j++) dst[j] = f32BitsToF16(bits[i]!);
        }
        await this.out.write(new Uint8Array(dst.buffer, 0, (end - start) * 2));
      }
    } else {
      bad(`${this.path}: tensor "${name}" is declared ${spec.dtype}; write its bytes with writeBytes()`, {
        tensor: name,
      });
    }
    this.next++;
  }

  /** Write the next tensor as raw little-endian bytes of its declared dtype. */
  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    const spec = this.expect(name);
    const length = tensorByteLength(spec);
    if (bytes.byteLength !== length) {
      bad(
        `${this.path}: tensor "${name}": ${spec.dtype}${JSON.stringify(spec.shape)} needs ${length} bytes, got ${bytes.byteLength}`,
        {
          tensor: name,
        },
      );
    }
    await this.out.write(bytes);
    this.next++;
  }

  /** Finish: fails (and leaves no file) unless every declared tensor was written. */
  async commit(): Promise<void> {
    if (this.next !== this.specs.length) {
      await this.out.abort();
      bad(`${this.path}: only ${this.next} of ${this.specs.length} declared tensors were written`);
    }
    await this.out.commit();
  }

  async abort(): Promise<void> {
    await this.out.abort();
  }
}

/** Write one .safetensors file atomically. */
export async function writeSafetensors(
  path: string,
  tensors: TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  const writer = await SafetensorsWriter.open(
    path,
    tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
    metadata,
  );
  try {
    for (const t of tensors) await writer.write(t.name, t.data);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}

/** `model-0000k-of-0000N.safetensors` (1-based k). */
export function shardFileName(k: number, n: number): string {
  return `model-${String(k).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;
}

/** Split tensors (in order) into shards of at most `maxShardBytes` (a bigger tensor gets a shard of its own). */
export function planShards(specs: readonly TensorSpec[], maxShardBytes: number): TensorSpec[][] {
  if (!(maxShardBytes > 0)) bad(`maxShardBytes must be positive, got ${maxShardBytes}`);
  const shards: TensorSpec[][] = [];
  let current: TensorSpec[] = [];
  let size = 0;
  for (const s of specs) {
    const length = tensorByteLength(s);
    if (current.length > 0 && size + length > maxShardBytes) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(s);
    size += length;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * Streaming sharded writer: declare the tensors up front, write them one at a time in order; produces
 * `model-0000k-of-0000N.safetensors` shards (each atomic) and, on commit(), `model.safetensors.index.json`.
 */
export class ShardedSafetensorsWriter {
  private shardIndex = -1;
  private inShard = 0;
  private current: SafetensorsWriter | null = null;
  readonly files: string[];
  readonly indexPath: string;

  private constructor(
    readonly dir: string,
    private readonly shards: TensorSpec[][],
    private readonly metadata: Record<string, string> | undefined,
  ) {
    this.files = shards.map((_, k) => join(dir, shardFileName(k + 1, shards.length)));
    this.indexPath = join(dir, INDEX_FILE_NAME);
  }

  static async open(
    dir: string,
    specs: TensorSpec[],
    options: { maxShardBytes: number; metadata?: Record<string, string> },
  ): Promise<ShardedSafetensorsWriter> {
    checkSpecs(specs, options.metadata, dir);
    return new ShardedSafetensorsWriter(dir, planShards(specs, options.maxShardBytes), options.metadata);
  }

  private async writerFor(name: string): Promise<SafetensorsWriter> {
    while (this.current === null || this.inShard >= this.shards[this.shardIndex]!.length) {
      if (this.current) await this.current.commit();
      this.shardIndex++;
      this.inShard = 0;
      if (this.shardIndex >= this.shards.length) bad(`${this.dir}: tensor "${name}" was not declared`);
      this.current = await SafetensorsWriter.open(
        this.files[this.shardIndex]!,
        this.shards[this.shardIndex]!,
        this.metadata,
      );
    }
    return this.current;
  }

  async write(name: string, data: Float32Array): Promise<void> {
    const w = await this.writerFor(name);
    await w.write(name, data);
    this.inShard++;
  }

  async writeBytes(name: string, bytes: Uint8Array): Promise<void> {
    const w = await this.writerFor(name);
    await w.writeBytes(name, bytes);
    this.inShard++;
  }

  async commit(): Promise<{ files: string[]; indexPath: string }> {
    // Opens (and so creates) any remaining empty shard, e.g. a checkpoint without tensors.
    if (this.current === null && this.shards[0]!.length === 0) {
      this.current = await SafetensorsWriter.open(this.files[0]!, [], this.metadata);
      this.shardIndex = 0;
    }
    if (this.current) await this.current.commit();
    const written = this.shardIndex + 1;
    if (written !== this.shards.length || this.inShard !== this.shards[this.shardIndex]!.length) {
      bad(`${this.dir}: not every declared tensor was written`);
    }
    const weightMap: Record<string, string> = {};
    let totalSize = 0;
    this.shards.forEach((shard, k) => {
      for (const s of shard) {
        weightMap[s.name] = shardFileName(k + 1, this.shards.length);
        totalSize += tensorByteLength(s);
      }
    });
    await writeJsonAtomic(this.indexPath, { metadata: { total_size: totalSize }, weight_map: weightMap });
    return { files: this.files, indexPath: this.indexPath };
  }

  async abort(): Promise<void> {
    if (this.current) await this.current.abort();
  }
}

/** Write shards + index (atomically, shard by shard). */
export async function writeShardedSafetensors(
  dir: string,
  tensors: TensorToWrite[],
  options: { maxShardBytes: number; metadata?: Record<string, string> },
): Promise<{ files: string[]; indexPath: string }> {
  const writer = await ShardedSafetensorsWriter.open(
    dir,
    tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
    options,
  );
  try {
    for (const t of tensors) await writer.write(t.name, t.data);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.commit();
}
