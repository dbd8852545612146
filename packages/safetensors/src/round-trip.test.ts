import { mkdtemp, rm, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SafetensorsCheckpoint, writeSafetensors, writeShardedSafetensors } from "./index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = (x / 2147483648 - 0.5) * 4;
  }
  return out;
}

describe("round trip", () => {
  it("writes and reads a single file (F32 exact, BF16/F16 within rounding)", async () => {
    const path = join(dir, "a.safetensors");
    const a = values(6, 1);
    const b = values(12, 2);
    const c = values(5, 3);
    await writeSafetensors(
      path,
      [
        { name: "a", dtype: "F32", shape: [2, 3], data: a },
        { name: "b", dtype: "BF16", shape: [3, 4], data: b },
        { name: "c", dtype: "F16", shape: [5], data: c },
      ],
      { format: "pt" },
    );
    const bytes = await readFile(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const ckpt = await SafetensorsCheckpoint.open(path);
    expect(ckpt.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ["a", "F32", [2, 3]],
      ["b", "BF16", [3, 4]],
      ["c", "F16", [5]],
    ]);
    expect(ckpt.metadata).toEqual({ format: "pt" });
    expect(ckpt.has("a")).toBe(true);
    expect(ckpt.has("z")).toBe(false);
    expect(ckpt.info("b").byteLength).toBe(24);
    expect(Array.from(await ckpt.readTensor("a"))).toEqual(Array.from(a));
    const rb = await ckpt.readTensor("b");
    for (let i = 0; i < b.length; i++)
      expect(Math.abs(rb[i]! - b[i]!)).toBeLessThanOrEqual(Math.abs(b[i]!) * 2 ** -8);
    const rc = await ckpt.readTensor("c");
    for (let i = 0; i < c.length; i++)
      expect(Math.abs(rc[i]! - c[i]!)).toBeLessThanOrEqual(Math.abs(c[i]!) * 2 ** -11);
    const seen: string[] = [];
    for await (const { info, data } of ckpt.iterate()) {
      seen.push(info.name);
      expect(Array.from(data)).toEqual(Array.from(await ckpt.readTensor(info.name)));
    }
    expect(seen).toEqual(["a", "b", "c"]);
    await ckpt.close();
  });

  it("writes shards + index and reads the folder", async () => {
    const out = join(dir, "sharded");
    const tensors = Array.from({ length: 5 }, (_, i) => ({
      name: `model.layers.${i}.mlp.down_proj.weight`,
      dtype: "F32" as const,
      shape: [4, 4],
      data: values(16, i + 10),
    }));
    const { files, indexPath } = await writeShardedSafetensors(out, tensors, { maxShardBytes: 128 });
    expect(files.map((f) => f.slice(out.length + 1))).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
    ]);
    const index = JSON.parse(await readFile(indexPath, "utf8"));
    expect(index.metadata.total_size).toBe(5 * 64);
    expect(index.weight_map["model.layers.4.mlp.down_proj.weight"]).toBe("model-00003-of-00003.safetensors");
    const ckpt = await SafetensorsCheckpoint.open(out);
    expect(ckpt.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) expect(Array.from(await ckpt.readTensor(t.name))).toEqual(Array.from(t.data));
    await ckpt.close();
  });
});
