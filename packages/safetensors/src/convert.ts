import { CftkitError } from "@cftkit/core";
import { widenBf16InPlaceWasm, widenBf16Simd } from "./bf16-simd.js";
import { DTYPE_SIZES, type Dtype } from "./dtype.js";

// All conversions assume a little-endian host (every platform Node ships on); safetensors data is little-endian.

let f16Table: Float32Array | null = null;

/** IEEE 754 binary16 bits → number (subnormals, ±inf, NaN). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function f16Lookup(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = f16BitsToNumber(h);
  // Keep NaN payloads as the f32 widening would (sign, quiet bit, payload << 13).
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0)
      bits[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
  }
  f16Table = table;
  return table;
}

let e4m3Table: Float32Array | null = null;
let e5m2Table: Float32Array | null = null;

/** F8 E4M3 ("fn" variant used by torch.float8_e4m3fn: bias 7, no infinities, 0x7f/0xff = NaN). */
export function f8e4m3BitsToNumber(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const mant = b & 0x7;
  if (exp === 0xf && mant === 0x7) return Number.NaN;
  if (exp === 0) return sign * mant * 2 ** -9;
  return sign * (1 + mant / 8) * 2 ** (exp - 7);
}

/** F8 E5M2 (torch.float8_e5m2: bias 15, IEEE-like infinities and NaN). */
export function f8e5m2BitsToNumber(b: number): number {
  return f16BitsToNumber(b << 8);
}

function table256(fn: (b: number) => number): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) t[b] = fn(b);
  return t;
}

/**
 * Convert the raw little-endian bytes of a tensor to float32. `bytes` must start at an offset that is a
 * multiple of 8 in its ArrayBuffer (buffers made by this package are). Writes into `out` when given.
 */
export function toFloat32(bytes: Uint8Array, dtype: Dtype, out?: Float32Array): Float32Array {
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  const len = bytes.byteLength;
  const size = DTYPE_SIZES[dtype];
  const n = len / size;
  if (!Number.isInteger(n)) {
    throw new CftkitError(
      "SAFETENSORS_BYTE_LENGTH_MISMATCH",
      `${len} bytes is not a whole number of ${dtype} elements`,
    );
  }
  if (off % size !== 0) {
    // Realign (rare: only for caller-provided views).
    const copy = new Uint8Array(len);
    copy.set(bytes);
    return toFloat32(copy, dtype, out);
  }
  const result = out && out.length >= n ? (out.length === n ? out : out.subarray(0, n)) : new Float32Array(n);
  switch (dtype) {
    case "F32":
      result.set(new Float32Array(buf, off, n));
      break;
    case "BF16": {
      const src = new Uint16Array(buf, off, n);
      const dst = new Uint32Array(result.buffer, result.byteOffset, n);
      for (let i = 0; i < n; i++) dst[i] = src[i]! << 16;
      break;
    }
    case "F16": {
      const src = new Uint16Array(buf, off, n);
      const t = f16Lookup();
      for (let i = 0; i < n; i++) result[i] = t[src[i]!]!;
      break;
    }
    case "F64":
      copyInto(result, new Float64Array(buf, off, n));
      break;
    case "I8":
      copyInto(result, new Int8Array(buf, off, n));
      break;
    case "U8":
      copyInto(result, new Uint8Array(buf, off, n));
      break;
    case "I16":
      copyInto(result, new Int16Array(buf, off, n));
      break;
    case "U16":
      copyInto(result, new Uint16Array(buf, off, n));
      break;
    case "I32":
      copyInto(result, new Int32Array(buf, off, n));
      break;
    case "U32":
      copyInto(result, new Uint32Array(buf, off, n));
      break;
    case "I64": {
      const w = new Uint32Array(buf, off, n * 2);
      const hi = new Int32Array(buf, off, n * 2);
      // hi * 2^32 is exact and lo < 2^32 is exact: one rounding, to the nearest float64, then to f32.
      for (let i = 0; i < n; i++) result[i] = hi[2 * i + 1]! * 4294967296 + w[2 * i]!;
      break;
    }
    case "U64": {
      const w = new Uint32Array(buf, off, n * 2);
      for (let i = 0; i < n; i++) result[i] = w[2 * i + 1]! * 4294967296 + w[2 * i]!;
      break;
    }
    case "BOOL": {
      const src = new Uint8Array(buf, off, n);
      for (let i = 0; i < n; i++) result[i] = src[i] !== 0 ? 1 : 0;
      break;
    }
    case "F8_E4M3": {
      e4m3Table ??= table256(f8e4m3BitsToNumber);
      const src = new Uint8Array(buf, off, n);
      const t = e4m3Table;
      for (let i = 0; i < n; i++) result[i] = t[src[i]!]!;
      break;
    }
    case "F8_E5M2": {
      e5m2Table ??= table256(f8e5m2BitsToNumber);
      const src = new Uint8Array(buf, off, n);
      const t = e5m2Table;
      for (let i = 0; i < n; i++) result[i] = t[src[i]!]!;
      break;
    }
  }
  return result;
}

function copyInto(dst: Float32Array, src: ArrayLike<number>): void {
  const n = src.length;
  for (let i = 0; i < n; i++) dst[i] = src[i]!;
}

/** float32 bits → bfloat16 bits, round to nearest even; NaN stays NaN (quiet bit set). */
export function f32BitsToBf16(u: number): number {
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) / 65536) & 0xffff;
}

/** float32 bits → IEEE binary16 bits, round to nearest even (subnormals, overflow to inf, NaN kept). */
export function f32BitsToF16(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r++;
  return sign | r;
}

/** Encode float32 values as the little-endian bytes of `dtype`. */
export function fromFloat32(data: Float32Array, dtype: "F32" | "F16" | "BF16", out?: Uint8Array): Uint8Array {
  const n = data.length;
  const bytes = n * (dtype === "F32" ? 4 : 2);
  const result =
    out && out.byteLength >= bytes && out.byteOffset % 4 === 0
      ? out.subarray(0, bytes)
      : new Uint8Array(bytes);
  const src = new Uint32Array(data.buffer, data.byteOffset, n);
  if (dtype === "F32") {
    new Uint32Array(result.buffer, result.byteOffset, n).set(src);
  } else if (dtype === "BF16") {
    const dst = new Uint16Array(result.buffer, result.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const u = src[i]!;
      dst[i] =
        (u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0
          ? (u >>> 16) | 0x40
          : (u + 0x7fff + ((u >>> 16) & 1)) / 65536;
    }
  } else {
    const dst = new Uint16Array(result.buffer, result.byteOffset, n);
    for (let i = 0; i < n; i++) dst[i] = f32BitsToF16(src[i]!);
  }
  return result;
}

/**
 * In-place widening: `out` holds n = out.length elements of `dtype` (element size ≤ 4 bytes) packed at the END of
 * its bytes; convert them to float32 over the whole array. Ascending order never overwrites an unread element
 * (element i is written to bytes [4i, 4i+4), read from 4n − s·(n − i) ≥ 4i + 4 − s).
 * Lets a reader fill the output array directly, with no second buffer.
 */
export function widenInPlace(out: Float32Array, dtype: Dtype): void {
  const n = out.length;
  const buf = out.buffer;
  const base = out.byteOffset;
  const size = DTYPE_SIZES[dtype];
  if (size > 4) throw new Error(`widenInPlace: ${dtype} is wider than float32`);
  const start = base + (4 - size) * n;
  switch (dtype) {
    case "F32":
      return;
    case "BF16": {
      const dst = new Uint32Array(buf, base, n);
      if (widenBf16InPlaceWasm(out)) return;
      if (n >= 256 && widenBf16Simd(new Uint16Array(buf, start, n), dst)) return;
      if (n % 2 === 0) {
        // Two bf16 values per 32-bit load: low half → element 2j, high half → element 2j+1.
        const words = new Uint32Array(buf, start, n / 2);
        const half = n / 2;
        for (let j = 0; j < half; j++) {
          const w = words[j]!;
          dst[2 * j] = w << 16;
          dst[2 * j + 1] = w & 0xffff0000;
        }
      } else {
        const src = new Uint16Array(buf, start, n);
        for (let i = 0; i < n; i++) dst[i] = src[i]! << 16;
      }
      return;
    }
    case "F16": {
      const src = new Uint16Array(buf, start, n);
      const t = f16Lookup();
      for (let i = 0; i < n; i++) out[i] = t[src[i]!]!;
      return;
    }
    case "I16": {
      const src = new Int16Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "U16": {
      const src = new Uint16Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "I32": {
      const src = new Int32Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "U32": {
      const src = new Uint32Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "I8": {
      const src = new Int8Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "U8": {
      const src = new Uint8Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i]!;
      return;
    }
    case "BOOL": {
      const src = new Uint8Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return;
    }
    case "F8_E4M3": {
      e4m3Table ??= table256(f8e4m3BitsToNumber);
      const t = e4m3Table;
      const src = new Uint8Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = t[src[i]!]!;
      return;
    }
    case "F8_E5M2": {
      e5m2Table ??= table256(f8e5m2BitsToNumber);
      const t = e5m2Table;
      const src = new Uint8Array(buf, start, n);
      for (let i = 0; i < n; i++) out[i] = t[src[i]!]!;
      return;
    }
    default:
      throw new Error(`widenInPlace: unsupported ${dtype}`);
  }
}
