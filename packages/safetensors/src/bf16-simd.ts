// BF16 → float32 widening with WebAssembly SIMD (i16x8 → two i32x4, shifted left by 16): several times faster
// than a JavaScript loop, which V8 does not vectorise. The module is 100-odd bytes, assembled below; where
// WebAssembly SIMD is unavailable the caller falls back to the JavaScript loop.

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** Most raw elements per chunk; the module's memory holds one chunk of bf16 input and its float32 output. */
export const SIMD_CHUNK = 1 << 18;
/** Elements per chunk by default: small enough that the copies in and out stay in the CPU cache. */
const DEFAULT_CHUNK = 1 << 14;
const PAGES = Math.ceil((SIMD_CHUNK * 6) / 65536);

function moduleBytes(importMemory = false): Uint8Array {
  const LOCAL_GET = 0x20;
  const SIMD = 0xfd;
  // bf16(src, dst, groups): for each group of 8 bf16 values at src, store 8 float32 at dst.
  const body = [
    0x00, // no locals
    0x02,
    0x40, // block
    LOCAL_GET,
    2,
    0x45,
    0x0d,
    0, // if groups == 0: br 0
    0x03,
    0x40, // loop
    LOCAL_GET,
    1,
    LOCAL_GET,
    0,
    SIMD,
    0x00,
    0,
    0, // dst, v128.load src
    SIMD,
    ...uleb(0xa9),
    0x41,
    16,
    SIMD,
    ...uleb(0xab), // i32x4.extend_low_i16x8_u, i32x4.shl 16
    SIMD,
    ...uleb(0x0b),
    0,
    0, // v128.store dst
    LOCAL_GET,
    1,
    LOCAL_GET,
    0,
    SIMD,
    0x00,
    0,
    0,
    SIMD,
    ...uleb(0xaa),
    0x41,
    16,
    SIMD,
    ...uleb(0xab), // i32x4.extend_high_i16x8_u, shl 16
    SIMD,
    ...uleb(0x0b),
    0,
    16, // v128.store dst offset 16
    LOCAL_GET,
    0,
    0x41,
    16,
    0x6a,
    0x21,
    0, // src += 16
    LOCAL_GET,
    1,
    0x41,
    32,
    0x6a,
    0x21,
    1, // dst += 32
    LOCAL_GET,
    2,
    0x41,
    1,
    0x6b,
    0x22,
    2, // groups -= 1 (tee)
    0x0d,
    0, // br_if loop
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    // Either import the memory ("e"."m", any size) or define one of PAGES pages and export it as "mem".
    ...(importMemory ? section(2, [1, ...name("e"), ...name("m"), 2, 0, 0]) : []),
    ...section(3, [1, 0]),
    ...(importMemory ? [] : section(5, [1, 0, ...uleb(PAGES)])),
    ...(importMemory
      ? section(7, [1, ...name("bf16"), 0, 0])
      : section(7, [2, ...name("mem"), 2, 0, ...name("bf16"), 0, 0])),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

// The WebAssembly global is not in this package's type libs (ES2023 + node): declare the little used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Kernel {
  memory: { buffer: ArrayBuffer };
  bf16: (src: number, dst: number, groups: number) => void;
}

let kernel: Kernel | null | undefined;

function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  if (process.env.CFTKIT_SAFETENSORS_NO_SIMD) {
    kernel = null; // for comparisons: force the JavaScript loop
    return kernel;
  }
  try {
    if (!wasmApi) throw new Error("no WebAssembly");
    const instance = new wasmApi.Instance(new wasmApi.Module(moduleBytes()), {});
    const exports = instance.exports as unknown as { mem: Kernel["memory"]; bf16: Kernel["bf16"] };
    kernel = { memory: exports.mem, bf16: exports.bf16 };
    // Self-check once; any mismatch disables the kernel.
    const probe = new Uint16Array([0x3f80, 0xc000, 0x0001, 0x7f81, 0xffff, 0x8000, 0x1234, 0x7f80, 0x4049]);
    const out = new Uint32Array(9);
    if (!widenBf16Simd(probe, out) || out.some((v, i) => v !== (probe[i]! << 16) >>> 0)) kernel = null;
  } catch {
    kernel = null;
  }
  return kernel;
}

/**
 * Widen bf16 bits `src` into float32 bits `dst` (same length) with the SIMD kernel, chunk by chunk through the
 * module's memory. `src` may lie inside `dst`'s buffer after the part of `dst` already written (in-place widening
 * from the tail), since each chunk is copied in before its output is copied out. Returns false when WebAssembly
 * SIMD is unavailable (nothing written).
 */
export function widenBf16Simd(src: Uint16Array, dst: Uint32Array, chunk = DEFAULT_CHUNK): boolean {
  const k = kernel === undefined ? getKernel() : kernel;
  if (!k) return false;
  const n = src.length;
  const mem = k.memory.buffer;
  const c = Math.max(8, Math.min(SIMD_CHUNK, chunk & ~7));
  const rawIn = new Uint8Array(mem, 0, c * 2);
  const raw16 = new Uint16Array(mem, 0, c);
  const outBytes = new Uint8Array(mem, SIMD_CHUNK * 2, c * 4);
  const out32 = new Uint32Array(mem, SIMD_CHUNK * 2, c);
  const srcBytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const dstBytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let a = 0; a < n; a += c) {
    const m = Math.min(c, n - a);
    rawIn.set(srcBytes.subarray(2 * a, 2 * (a + m)));
    const groups = m >>> 3;
    k.bf16(0, SIMD_CHUNK * 2, groups);
    for (let i = groups * 8; i < m; i++) out32[i] = raw16[i]! << 16;
    dstBytes.set(outBytes.subarray(0, 4 * m), 4 * a);
  }
  return true;
}

/** Whether the WebAssembly SIMD BF16 kernel is in use (false: the JavaScript loop). */
export function bf16SimdAvailable(): boolean {
  return getKernel() !== null;
}

let importingModule: object | null = null;
const boundKernels = new WeakMap<ArrayBuffer, Kernel["bf16"]>();

/**
 * A Float32Array of `n` elements whose buffer is a WebAssembly memory with the SIMD kernel bound to it, so
 * BF16 data read into its tail can be widened in place with no copies (see {@link widenBf16InPlaceWasm}).
 * Its `.buffer` is rounded up to 64 KiB pages — use the array, not its buffer. Null without WebAssembly SIMD.
 */
export function allocateWasmFloat32(n: number): Float32Array | null {
  if (!wasmApi || getKernel() === null || n * 4 > 2 ** 31) return null;
  try {
    importingModule ??= new wasmApi.Module(moduleBytes(true));
    const pages = Math.max(1, Math.ceil((n * 4) / 65536));
    const memory = new wasmApi.Memory({ initial: pages, maximum: pages });
    const instance = new wasmApi.Instance(importingModule, { e: { m: memory } });
    boundKernels.set(memory.buffer, instance.exports.bf16 as Kernel["bf16"]);
    return new Float32Array(memory.buffer, 0, n);
  } catch {
    return null;
  }
}

/**
 * Widen `out.length` bf16 values packed at the tail of `out`'s bytes to float32 in place, when `out` lives in a
 * memory from {@link allocateWasmFloat32}. Returns false (nothing done) otherwise.
 */
export function widenBf16InPlaceWasm(out: Float32Array): boolean {
  const bf16 = boundKernels.get(out.buffer as ArrayBuffer);
  if (!bf16) return false;
  const n = out.length;
  const base = out.byteOffset;
  const start = base + 2 * n;
  if (start % 2 !== 0) return false;
  const groups = n >>> 3;
  // Group j reads bytes [start + 16j, +16) and writes [base + 32j, +32): never ahead of unread input.
  bf16(start, base, groups);
  const dst = new Uint32Array(out.buffer, base, n);
  const src = new Uint16Array(out.buffer, start, n);
  for (let i = groups * 8; i < n; i++) dst[i] = src[i]! << 16;
  return true;
}
