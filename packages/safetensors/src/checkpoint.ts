import { promises as fs } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CftkitError, printable, resolveInsideFolder } from "@cftkit/core";
import { allocateWasmFloat32 } from "./bf16-simd.js";
import { toFloat32, widenInPlace } from "./convert.js";
import { DTYPE_SIZES } from "./dtype.js";
import { checkHeaderLength, parseHeader } from "./header.js";
import type { TensorInfo } from "./tensor-info.js";

export const SINGLE_FILE_NAME = "model.safetensors";
export const INDEX_FILE_NAME = "model.safetensors.index.json";

export interface IterateOptions {
  /** Only these tensors (still yielded in file order). Unknown names fail with SAFETENSORS_TENSOR_NOT_FOUND. */
  names?: string[];
  /**
   * Recycle two output arrays: each yielded `data` is only valid until the next step.
   * Lowest memory and fastest; leave false when keeping the arrays.
   */
  reuseBuffers?: boolean;
  /** Read the next tensor while the caller works on the current one when it is at most this many bytes as
   * float32 (default 64 MiB; 0 = never). */
  prefetchBytes?: number;
}

const DEFAULT_PREFETCH_BYTES = 64 * 1024 * 1024;

export interface IterateChunksOptions {
  /** Only these tensors (still in file order). */
  names?: string[];
  /** Elements per chunk (default 4 Mi = 16 MiB of float32). */
  chunkElements?: number;
}

/** One piece of a tensor: elements [offset, offset + data.length) of the flattened (row-major) tensor. */
export interface TensorChunk {
  info: TensorInfo;
  offset: number;
  data: Float32Array;
}

interface OpenFile {
  path: string;
  handle: fs.FileHandle;
  size: number;
}

/** A Uint8Array over a fresh ArrayBuffer (offset 0, so every typed view is aligned). */
function alignedBytes(length: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(length));
}

/** Positioned read of exactly `target.byteLength` bytes (loops over short reads and the 2 GiB read limit). */
async function readRange(
  file: OpenFile,
  target: Uint8Array,
  position: number,
  tensor: string,
): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    const chunk = Math.min(target.byteLength - done, 1 << 30);
    const { bytesRead } = await file.handle.read(target, done, chunk, position + done);
    if (bytesRead === 0) {
      throw new CftkitError(
        "SAFETENSORS_TRUNCATED",
        `${file.path}: tensor "${tensor}": unexpected end of file at byte ${position + done} (the file changed or is truncated)`,
        { details: { file: file.path, tensor } },
      );
    }
    done += bytesRead;
  }
}

/** Reads above this size are split into pieces read concurrently (libuv's thread pool copies them in parallel). */
const PARALLEL_PIECE = 8 << 20;
const PARALLEL_READS = 4;

/** Positioned read of exactly `target.byteLength` bytes (loops over short reads; big reads in parallel pieces). */
async function readExactly(
  file: OpenFile,
  target: Uint8Array,
  position: number,
  tensor: string,
): Promise<void> {
  const length = target.byteLength;
  if (length <= 2 * PARALLEL_PIECE) return readRange(file, target, position, tensor);
  let next = 0;
  const worker = async () => {
    while (next < length) {
      const start = next;
      const end = Math.min(length, start + PARALLEL_PIECE);
      next = end;
      await readRange(file, target.subarray(start, end), position + start, tensor);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_READS }, worker));
}

async function openFile(path: string): Promise<OpenFile> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CftkitError(
      code === "ENOENT" ? "SAFETENSORS_NOT_FOUND" : "SAFETENSORS_UNREADABLE",
      `${path}: cannot open (${code ?? (error as Error).message})`,
      { details: { file: path }, cause: error },
    );
  }
  const { size } = await handle.stat();
  return { path, handle, size };
}

async function readFileHeader(file: OpenFile): Promise<ReturnType<typeof parseHeader>> {
  const prefix = alignedBytes(8);
  if (file.size >= 8) await readExactly(file, prefix, 0, "(header)");
  const length = checkHeaderLength(prefix, file.path, file.size);
  const header = alignedBytes(length);
  await readExactly(file, header, 8, "(header)");
  return parseHeader(header, file.path, file.size);
}

async function statKind(path: string): Promise<"file" | "dir" | null> {
  try {
    const s = await fs.stat(path);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return null;
  }
}

/**
 * A safetensors checkpoint: one .safetensors file, or a folder holding `model.safetensors`, or
 * `model.safetensors.index.json` + shards, or several .safetensors files. Reads tensors by name with positioned
 * reads (never the whole file) and streams them in file order with bounded memory.
 */
export class SafetensorsCheckpoint {
  /** Every tensor, in file order (shards in order, then by data offset). */
  readonly tensors: TensorInfo[];
  /** `__metadata__` of the (first) file. */
  readonly metadata: Record<string, string>;
  /** The path given to open(), absolute. */
  readonly path: string;
  /** The .safetensors files, absolute, in order. */
  readonly files: string[];
  private readonly byName: Map<string, TensorInfo>;
  private readonly handles: Map<string, OpenFile>;
  private closed = false;

  private constructor(
    path: string,
    files: OpenFile[],
    tensors: TensorInfo[],
    metadata: Record<string, string>,
  ) {
    this.path = path;
    this.files = files.map((f) => f.path);
    this.handles = new Map(files.map((f) => [f.path, f]));
    this.tensors = tensors;
    this.metadata = metadata;
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  static async open(path: string): Promise<SafetensorsCheckpoint> {
    const abs = resolve(path);
    const kind = await statKind(abs);
    if (kind === null) {
      throw new CftkitError("SAFETENSORS_NOT_FOUND", `${abs}: no such file or folder`, {
        details: { file: abs },
      });
    }
    if (kind === "file") {
      if (abs.endsWith(".json")) return SafetensorsCheckpoint.openIndex(abs, dirname(abs));
      return SafetensorsCheckpoint.openFiles(abs, [abs]);
    }
    const single = join(abs, SINGLE_FILE_NAME);
    if ((await statKind(single)) === "file") return SafetensorsCheckpoint.openFiles(abs, [single]);
    const index = join(abs, INDEX_FILE_NAME);
    if ((await statKind(index)) === "file") return SafetensorsCheckpoint.openIndex(abs, abs, index);
    const names = (await fs.readdir(abs)).filter((n) => n.endsWith(".safetensors")).sort();
    if (names.length === 0) {
      throw new CftkitError(
        "SAFETENSORS_NO_FILES",
        `${abs}: folder holds no ${SINGLE_FILE_NAME}, no ${INDEX_FILE_NAME} and no .safetensors file`,
        { details: { file: abs } },
      );
    }
    return SafetensorsCheckpoint.openFiles(
      abs,
      names.map((n) => join(abs, n)),
    );
  }

  private static async openFiles(path: string, paths: string[]): Promise<SafetensorsCheckpoint> {
    const files: OpenFile[] = [];
    try {
      const tensors: TensorInfo[] = [];
      const owner = new Map<string, string>();
      let metadata: Record<string, string> | null = null;
      for (const p of paths) {
        const file = await openFile(p);
        files.push(file);
        const header = await readFileHeader(file);
        metadata ??= header.metadata;
        for (const t of header.tensors) {
          const other = owner.get(t.name);
          if (other !== undefined) {
            throw new CftkitError(
              "SAFETENSORS_DUPLICATE_TENSOR",
              `${p}: tensor "${t.name}" is also in ${other}`,
              { details: { file: p, tensor: t.name } },
            );
          }
          owner.set(t.name, p);
          tensors.push(t);
        }
      }
      return new SafetensorsCheckpoint(path, files, tensors, metadata ?? {});
    } catch (error) {
      await Promise.all(files.map((f) => f.handle.close().catch(() => undefined)));
      throw error;
    }
  }

  private static async openIndex(
    path: string,
    dir: string,
    indexPath = path,
  ): Promise<SafetensorsCheckpoint> {
    const bad = (message: string): never => {
      throw new CftkitError("SAFETENSORS_INDEX_INVALID", `${indexPath}: ${message}`, {
        details: { file: indexPath },
      });
    };
    let json: unknown;
    try {
      json = JSON.parse(await fs.readFile(indexPath, "utf8"));
    } catch (error) {
      bad(`not valid JSON (${(error as Error).message})`);
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) bad("not a JSON object");
    const weightMap = (json as { weight_map?: unknown }).weight_map;
    if (typeof weightMap !== "object" || weightMap === null || Array.isArray(weightMap)) {
      bad('missing "weight_map" object');
    }
    const shardOf = new Map<string, string>();
    for (const [name, shard] of Object.entries(weightMap as Record<string, unknown>)) {
      if (typeof shard !== "string" || shard.length === 0)
        bad(`weight_map["${printable(name, 200)}"] is not a file name`);
      shardOf.set(name, shard as string);
    }
    const shardNames = [...new Set(shardOf.values())].sort();
    // Every shard must stay inside the model folder (no `../`, absolute path or escaping symlink).
    const shardPaths = new Map<string, string>();
    for (const shard of shardNames) shardPaths.set(shard, await resolveInsideFolder(dir, shard, indexPath));
    for (const shard of shardNames) {
      if ((await statKind(shardPaths.get(shard) as string)) !== "file") {
        throw new CftkitError(
          "SAFETENSORS_SHARD_MISSING",
          `${indexPath}: shard "${shard}" named in weight_map does not exist in ${dir}`,
          { details: { file: indexPath, shard } },
        );
      }
    }
    const checkpoint = await SafetensorsCheckpoint.openFiles(
      path,
      shardNames.map((s) => shardPaths.get(s) as string),
    );
    for (const [name, shard] of shardOf) {
      const info = checkpoint.byName.get(name);
      if (!info || basename(info.file) !== basename(shard)) {
        await checkpoint.close();
        throw new CftkitError(
          "SAFETENSORS_INDEX_TENSOR_MISSING",
          `${indexPath}: tensor "${name}" is mapped to shard "${shard}" but that shard does not contain it` +
            (info ? ` (it is in ${basename(info.file)})` : ""),
          { details: { file: indexPath, tensor: name, shard } },
        );
      }
    }
    return checkpoint;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.byName.get(name);
    if (!info) {
      throw new CftkitError("SAFETENSORS_TENSOR_NOT_FOUND", `${this.path}: no tensor named "${name}"`, {
        details: { file: this.path, tensor: name },
      });
    }
    return info;
  }

  /** Total number of elements over all tensors. */
  get totalParameters(): number {
    let n = 0;
    for (const t of this.tensors) n += t.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  /** Total tensor data bytes over all tensors. */
  get totalBytes(): number {
    let n = 0;
    for (const t of this.tensors) n += t.byteLength;
    return n;
  }

  private fileOf(info: TensorInfo): OpenFile {
    if (this.closed) {
      throw new CftkitError("SAFETENSORS_CLOSED", `${this.path}: checkpoint is closed`, { exitCode: 1 });
    }
    return this.handles.get(info.file)!;
  }

  /** The tensor's raw little-endian bytes, exactly as stored. */
  async readTensorBytes(name: string): Promise<Uint8Array> {
    const info = this.info(name);
    const bytes = alignedBytes(info.byteLength);
    await readExactly(this.fileOf(info), bytes, info.byteOffset, name);
    return bytes;
  }

  /** One tensor converted to float32 (every dtype; BF16 exactly, integers by value). */
  async readTensor(name: string): Promise<Float32Array> {
    return this.load(this.info(name), null);
  }

  /**
   * Read `info` as float32 into `target` (resized when too small; null = a fresh array). Dtypes of at most 4 bytes
   * are read straight into the output's bytes and widened in place: no second buffer.
   */
  private async load(info: TensorInfo, target: Float32Array | null): Promise<Float32Array> {
    return (await this.readRaw(info, target))();
  }

  /**
   * Read phase of a load: the tensor's bytes land in the output array (narrow dtypes at its tail) or a scratch
   * buffer; the returned function does the (synchronous) conversion. Splitting the two lets iterate() overlap the
   * read of the next tensor with the conversion of this one.
   */
  private async readRaw(
    info: TensorInfo,
    target: Float32Array | null,
    allocate: (n: number) => Float32Array = (n) => new Float32Array(n),
  ): Promise<() => Float32Array> {
    const file = this.fileOf(info);
    const n = elementsOf(info);
    const out = target !== null && target.length >= n ? target.subarray(0, n) : allocate(n);
    const size = DTYPE_SIZES[info.dtype];
    if (size <= 4) {
      const tail = new Uint8Array(out.buffer, out.byteOffset + (4 - size) * n, info.byteLength);
      await readExactly(file, tail, info.byteOffset, info.name);
      return () => {
        widenInPlace(out, info.dtype);
        return out;
      };
    }
    const bytes = alignedBytes(info.byteLength);
    await readExactly(file, bytes, info.byteOffset, info.name);
    return () => toFloat32(bytes, info.dtype, out);
  }

  /**
   * Stream tensors in file order as float32. Memory stays bounded by the largest tensor (plus, while the caller
   * works on one tensor, the read of the next one if it is at most `prefetchBytes` as float32). With
   * `reuseBuffers` two output arrays are recycled and each yielded `data` is only valid until the next step.
   */
  async *iterate(options: IterateOptions = {}): AsyncGenerator<{ info: TensorInfo; data: Float32Array }> {
    let list = this.tensors;
    if (options.names) {
      const wanted = new Set(options.names);
      for (const n of wanted) this.info(n);
      list = list.filter((t) => wanted.has(t.name));
    }
    const reuse = options.reuseBuffers === true;
    const prefetchBytes = options.prefetchBytes ?? DEFAULT_PREFETCH_BYTES;
    // With reuse: two recycled output arrays. A tensor read while the caller waits goes into the larger one
    // (both are free then); a prefetched tensor goes into the one the caller is not holding.
    const pool: (Float32Array | null)[] = [null, null];
    const capacity = (i: number) => pool[i]?.length ?? 0;
    const allocatePooled = (n: number) => allocateWasmFloat32(n) ?? new Float32Array(n);
    const readInto = async (info: TensorInfo, i: number): Promise<() => Float32Array> => {
      // Recycled arrays live in WebAssembly memories, where BF16 is widened in place by the SIMD kernel.
      const finish = await this.readRaw(info, reuse ? pool[i]! : null, reuse ? allocatePooled : undefined);
      return () => {
        const data = finish();
        if (reuse && data.buffer !== pool[i]?.buffer) pool[i] = new Float32Array(data.buffer);
        return data;
      };
    };
    let pending: { promise: Promise<() => Float32Array>; slot: number } | null = null;
    try {
      for (let k = 0; k < list.length; k++) {
        const info = list[k]!;
        let finish: () => Float32Array;
        let used: number;
        if (pending) {
          used = pending.slot;
          finish = await pending.promise;
          pending = null;
        } else {
          used = capacity(0) >= capacity(1) ? 0 : 1;
          finish = await readInto(info, used);
        }
        // Start reading the next tensor before converting this one: the read runs on libuv's threads meanwhile.
        const next = list[k + 1];
        if (next && prefetchBytes > 0 && elementsOf(next) * 4 <= prefetchBytes) {
          const promise = readInto(next, 1 - used);
          promise.catch(() => undefined); // surfaced when awaited; never an unhandled rejection
          pending = { promise, slot: 1 - used };
        }
        yield { info, data: finish() };
      }
    } finally {
      if (pending) await pending.promise.catch(() => undefined);
    }
  }

  /**
   * Stream every tensor in file order as float32 chunks of at most `chunkElements` elements: memory is bounded by
   * the chunk size (two recycled chunk arrays), not by the largest tensor. Each `data` is only valid until the next
   * step. The next chunk is read while the caller works on this one.
   */
  async *iterateChunks(options: IterateChunksOptions = {}): AsyncGenerator<TensorChunk> {
    let list = this.tensors;
    if (options.names) {
      const wanted = new Set(options.names);
      for (const n of wanted) this.info(n);
      list = list.filter((t) => wanted.has(t.name));
    }
    const chunk = Math.max(8, Math.floor(options.chunkElements ?? 4 * 1024 * 1024));
    const jobs: { info: TensorInfo; offset: number; count: number }[] = [];
    for (const info of list) {
      const n = elementsOf(info);
      if (n === 0) jobs.push({ info, offset: 0, count: 0 });
      for (let offset = 0; offset < n; offset += chunk)
        jobs.push({ info, offset, count: Math.min(chunk, n - offset) });
    }
    const buffers = [0, 1].map(() => allocateWasmFloat32(chunk) ?? new Float32Array(chunk));
    const readJob = async (job: (typeof jobs)[number], slot: number): Promise<() => Float32Array> => {
      const { info, offset, count } = job;
      const size = DTYPE_SIZES[info.dtype];
      const out = buffers[slot]!.subarray(0, count);
      const file = this.fileOf(info);
      const position = info.byteOffset + offset * size;
      if (size <= 4) {
        await readExactly(
          file,
          new Uint8Array(out.buffer, out.byteOffset + (4 - size) * count, count * size),
          position,
          info.name,
        );
        return () => {
          widenInPlace(out, info.dtype);
          return out;
        };
      }
      const bytes = alignedBytes(count * size);
      await readExactly(file, bytes, position, info.name);
      return () => toFloat32(bytes, info.dtype, out);
    };
    let pending: Promise<() => Float32Array> | null = null;
    try {
      for (let k = 0; k < jobs.length; k++) {
        const finish = await (pending ?? readJob(jobs[k]!, k % 2));
        pending = null;
        if (k + 1 < jobs.length) {
          pending = readJob(jobs[k + 1]!, (k + 1) % 2);
          pending.catch(() => undefined);
        }
        yield { info: jobs[k]!.info, offset: jobs[k]!.offset, data: finish() };
      }
    } finally {
      if (pending) await pending.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.handles.values()].map((f) => f.handle.close().catch(() => undefined)));
  }
}

function elementsOf(info: TensorInfo): number {
  return info.shape.reduce((a, b) => a * b, 1);
}
