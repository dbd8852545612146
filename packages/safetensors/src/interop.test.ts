// Interop with an independent numpy implementation (tools/reference/safetensors_io.py, no safetensors library).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SafetensorsCheckpoint, writeSafetensors } from "./index.js";

const script = fileURLToPath(new URL("../../../tools/reference/safetensors_io.py", import.meta.url));
const python = (...args: string[]) =>
  execFileSync("python3", [script, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });

const hexOf = (data: Float32Array) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("hex");
const f32FromHex = (hex: string) => {
  const b = Buffer.from(hex, "hex");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-interop-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sameOrBothNaN(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++)
    if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/** Values that exercise rounding: ties, subnormal boundaries, overflow, specials, and random floats. */
function trickyValues(): Float32Array {
  const out: number[] = [
    0,
    -0,
    1,
    -1,
    65504,
    65519.99,
    65520,
    1e30,
    -1e30,
    Infinity,
    -Infinity,
    NaN,
    2 ** -24,
    2 ** -25,
    2 ** -25 * 1.0001,
    3 * 2 ** -26,
    2 ** -14,
    2 ** -15,
    1e-45,
    3.4e38,
  ];
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  // Exact bf16 and f16 ties (odd and even lower neighbours) and near-ties.
  for (const u of [0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7f7fffff, 0x00008000, 0x80018000]) {
    bits[0] = u;
    out.push(f[0]!);
  }
  for (const m of [0x1000, 0x3000, 0x1001, 0x0fff]) {
    bits[0] = 0x3f800000 | m;
    out.push(f[0]!);
  }
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    bits[0] = (x * 2 + (i & 1)) >>> 0;
    out.push(Number.isNaN(f[0]!) ? 0.5 : f[0]!);
  }
  return new Float32Array(out);
}

describe("interop with an independent numpy reader/writer", () => {
  it("reads a numpy-written F32/F16/BF16 file bit-exactly (BF16 → f32 exactly)", async () => {
    const path = join(dir, "numpy.safetensors");
    const expected = JSON.parse(python("write", path, "7")) as Record<
      string,
      { dtype: string; shape: number[]; f32_hex: string }
    >;
    const c = await SafetensorsCheckpoint.open(path);
    expect(c.metadata).toEqual({ format: "pt", writer: "numpy-reference" });
    expect(c.tensors.map((t) => t.name)).toEqual(Object.keys(expected));
    for (const [name, e] of Object.entries(expected)) {
      expect(c.info(name).dtype).toBe(e.dtype);
      expect(c.info(name).shape).toEqual(e.shape);
      const got = await c.readTensor(name);
      if (e.dtype === "F16") expect(sameOrBothNaN(got, f32FromHex(e.f32_hex))).toBe(true);
      else expect(hexOf(got)).toBe(e.f32_hex); // bit-exact, NaN payloads included
    }
    for await (const { info, data } of c.iterate({ reuseBuffers: true })) {
      const e = expected[info.name]!;
      if (e.dtype !== "F16") expect(hexOf(data)).toBe(e.f32_hex);
    }
    await c.close();
  });

  it("decodes all 65536 F16 values like numpy", async () => {
    const table = f32FromHex(python("f16table").trim());
    const path = join(dir, "f16-all.safetensors");
    const { rawSafetensors } = await import("../../../tools/safetensors-malformed.js");
    const all = new Uint16Array(65536).map((_, i) => i);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(
      path,
      rawSafetensors(
        JSON.stringify({ h: { dtype: "F16", shape: [65536], data_offsets: [0, 131072] } }),
        new Uint8Array(all.buffer),
      ),
    );
    const c = await SafetensorsCheckpoint.open(path);
    const got = await c.readTensor("h");
    await c.close();
    expect(sameOrBothNaN(got, table)).toBe(true);
  });

  it("writes files the numpy reader reads back, with F16/BF16 rounded exactly like numpy (nearest even)", async () => {
    const values = trickyValues();
    const originals = join(dir, "orig.safetensors");
    const converted = join(dir, "conv.safetensors");
    await writeSafetensors(originals, [
      { name: "x16", dtype: "F32", shape: [values.length], data: values },
      { name: "xbf", dtype: "F32", shape: [values.length], data: values },
      { name: "x32", dtype: "F32", shape: [values.length], data: values },
    ]);
    await writeSafetensors(
      converted,
      [
        { name: "x32", dtype: "F32", shape: [values.length], data: values },
        { name: "x16", dtype: "F16", shape: [values.length], data: values },
        { name: "xbf", dtype: "BF16", shape: [values.length], data: values },
      ],
      { note: "ünïcode ✓" },
    );
    const read = JSON.parse(python("read", converted)) as {
      metadata: Record<string, string>;
      header_length: number;
      tensors: Record<string, { dtype: string; shape: number[]; f32_hex: string }>;
    };
    expect(read.metadata).toEqual({ note: "ünïcode ✓" });
    expect(read.header_length % 8).toBe(0);
    expect(read.tensors.x32!.f32_hex).toBe(hexOf(values));
    expect(read.tensors.x16!.dtype).toBe("F16");
    expect(read.tensors.xbf!.shape).toEqual([values.length]);
    const report = JSON.parse(python("check", originals, converted)) as Record<
      string,
      { equal: boolean; mismatches: number }
    >;
    expect(report).toEqual({
      x32: { dtype: "F32", equal: true, mismatches: 0 },
      x16: { dtype: "F16", equal: true, mismatches: 0 },
      xbf: { dtype: "BF16", equal: true, mismatches: 0 },
    });
    // And cftkit reads back what numpy decodes.
    const c = await SafetensorsCheckpoint.open(converted);
    for (const name of ["x16", "xbf"]) {
      expect(sameOrBothNaN(await c.readTensor(name), f32FromHex(read.tensors[name]!.f32_hex))).toBe(true);
    }
    await c.close();
  });
});
