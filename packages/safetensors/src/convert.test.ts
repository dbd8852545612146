import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawSafetensors } from "../../../tools/safetensors-malformed.js";
import { allocateWasmFloat32 } from "./bf16-simd.js";
import { type Dtype, SafetensorsCheckpoint, toFloat32 } from "./index.js";
import { widenInPlace } from "./internal.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-conv-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe("dtype conversion to float32", () => {
  const cases: [Dtype, ArrayBufferView, number[]][] = [
    ["I8", new Int8Array([-128, -1, 0, 127]), [-128, -1, 0, 127]],
    ["U8", new Uint8Array([0, 1, 200, 255]), [0, 1, 200, 255]],
    ["I16", new Int16Array([-32768, -5, 7, 32767]), [-32768, -5, 7, 32767]],
    ["U16", new Uint16Array([0, 1, 40000, 65535]), [0, 1, 40000, 65535]],
    ["I32", new Int32Array([-2147483648, -3, 16777217, 2147483647]), [-2147483648, -3, 16777216, 2147483648]],
    ["U32", new Uint32Array([0, 4294967295, 123456789, 5]), [0, 4294967296, 123456792, 5]],
    ["I64", new BigInt64Array([-9223372036854775808n, -1n, 1n << 40n, 123n]), [-(2 ** 63), -1, 2 ** 40, 123]],
    ["U64", new BigUint64Array([18446744073709551615n, 0n, (1n << 53n) + 1n, 9n]), [2 ** 64, 0, 2 ** 53, 9]],
    [
      "F64",
      new Float64Array([1e300, -0.1, 1 / 3, Number.NEGATIVE_INFINITY]),
      [Infinity, Math.fround(-0.1), Math.fround(1 / 3), -Infinity],
    ],
    ["BOOL", new Uint8Array([0, 1, 2, 0]), [0, 1, 1, 0]],
    // BF16 = upper half of the f32 bits.
    ["BF16", new Uint16Array([0x3f80, 0xc000, 0x0001, 0x7f80]), [1, -2, 2 ** -133, Infinity]],
    // F8 E4M3 (fn): 0x38 = 1, 0x7e = 448 (max), 0x01 = 2^-9 (min subnormal), 0xb8 = -1.
    ["F8_E4M3", new Uint8Array([0x38, 0x7e, 0x01, 0xb8]), [1, 448, 2 ** -9, -1]],
    // F8 E5M2: 0x3c = 1, 0x7b = 57344 (max), 0x01 = 2^-16, 0x7c = inf.
    ["F8_E5M2", new Uint8Array([0x3c, 0x7b, 0x01, 0x7c]), [1, 57344, 2 ** -16, Infinity]],
  ];

  for (const [dtype, array, expected] of cases) {
    it(`${dtype} from a file`, async () => {
      const data = bytesOf(array);
      const path = join(dir, `${dtype}.safetensors`);
      await writeFile(
        path,
        rawSafetensors(
          JSON.stringify({ t: { dtype, shape: [2, 2], data_offsets: [0, data.byteLength] } }),
          data,
        ),
      );
      const c = await SafetensorsCheckpoint.open(path);
      expect(Array.from(await c.readTensor("t"))).toEqual(expected);
      expect(Array.from(await c.readTensorBytes("t"))).toEqual(Array.from(data));
      for await (const { data: d } of c.iterate({ reuseBuffers: true }))
        expect(Array.from(d)).toEqual(expected);
      await c.close();
    });
  }

  it("F8 E4M3 NaN and F16 subnormals / NaN", () => {
    expect(Number.isNaN(toFloat32(new Uint8Array([0x7f]), "F8_E4M3")[0])).toBe(true);
    const h = toFloat32(bytesOf(new Uint16Array([0x0001, 0x03ff, 0x8400, 0x7e00, 0xfc00])), "F16");
    expect(Array.from(h.slice(0, 3))).toEqual([2 ** -24, 1023 * 2 ** -24, -(2 ** -14)]);
    expect(Number.isNaN(h[3])).toBe(true);
    expect(h[4]).toBe(-Infinity);
  });

  it("widens odd- and even-length BF16/F16/I8 in place like the copying conversion", () => {
    for (const n of [1, 2, 7, 8, 1001, 300_007, 1 << 19]) {
      for (const [dtype, size] of [
        ["BF16", 2],
        ["F16", 2],
        ["I8", 1],
        ["U16", 2],
        ["I32", 4],
      ] as const) {
        const raw = new Uint8Array(n * size).map((_, i) => (i * 37 + (i >> 8) * 11 + n) & 0xff);
        const out = new Float32Array(n);
        new Uint8Array(out.buffer).set(raw, (4 - size) * n);
        widenInPlace(out, dtype);
        // Same bits (BF16: NaN payloads included; other dtypes: any NaN matches any NaN).
        const ref = toFloat32(raw, dtype);
        const a = new Uint32Array(out.buffer);
        const b = new Uint32Array(ref.buffer);
        let mismatches = 0;
        for (let i = 0; i < n; i++) {
          if (a[i] !== b[i] && (dtype === "BF16" || !(Number.isNaN(out[i]) && Number.isNaN(ref[i]))))
            mismatches++;
        }
        expect(mismatches, `${dtype} n=${n}`).toBe(0);
      }
    }
  });

  it("widens BF16 in place inside a WebAssembly memory (SIMD kernel bound to the output)", () => {
    for (const n of [1, 7, 8, 9, 1001, 300_007]) {
      const out = allocateWasmFloat32(n);
      if (out === null) return; // no WebAssembly SIMD here: the JavaScript path is tested above
      const raw = new Uint16Array(n).map((_, i) => (i * 40503 + 7) & 0xffff);
      new Uint8Array(out.buffer, out.byteOffset + 2 * n, 2 * n).set(new Uint8Array(raw.buffer));
      widenInPlace(out, "BF16");
      const bits = new Uint32Array(out.buffer, out.byteOffset, n);
      let bad = 0;
      for (let i = 0; i < n; i++) if (bits[i] !== (raw[i]! << 16) >>> 0) bad++;
      expect(bad, `n=${n}`).toBe(0);
    }
  });

  it("handles an unaligned view", () => {
    const buf = new Uint8Array(9);
    buf.set(bytesOf(new Float32Array([1.5, -2])), 1);
    expect(Array.from(toFloat32(buf.subarray(1), "F32"))).toEqual([1.5, -2]);
  });
});
