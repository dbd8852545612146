import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTinyLlamaCheckpoint } from "../../../tools/make-fixtures.js";
import { parseParameterName, SafetensorsCheckpoint, SafetensorsWriter, writeSafetensors } from "./index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-ckpt-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checkpoint folders", () => {
  it("reads the same tensors from a single-file, a sharded and a BF16 tiny Llama", async () => {
    const single = await makeTinyLlamaCheckpoint(join(dir, "f32"), { seed: 3 });
    await makeTinyLlamaCheckpoint(join(dir, "sharded"), { seed: 3, maxShardBytes: 20_000 });
    await makeTinyLlamaCheckpoint(join(dir, "bf16"), { seed: 3, dtype: "BF16" });
    const a = await SafetensorsCheckpoint.open(join(dir, "f32"));
    const b = await SafetensorsCheckpoint.open(join(dir, "sharded"));
    const c = await SafetensorsCheckpoint.open(join(dir, "bf16"));
    expect(b.files.length).toBeGreaterThan(2);
    expect(a.tensors.map((t) => t.name)).toEqual(single.specs.map((s) => s.name));
    expect(b.tensors.map((t) => t.name)).toEqual(single.specs.map((s) => s.name));
    expect(a.totalParameters).toBe(b.totalParameters);
    expect(c.totalBytes * 2).toBe(a.totalBytes);
    expect(a.metadata.seed).toBe("3");
    const layers = new Set(a.tensors.map((t) => parseParameterName(t.name).layer));
    expect(layers).toEqual(new Set([null, 0, 1]));
    for await (const { info, data } of b.iterate()) {
      const ref = await a.readTensor(info.name);
      expect(data).toEqual(ref);
      const half = await c.readTensor(info.name);
      for (let i = 0; i < ref.length; i++)
        expect(Math.abs(half[i]! - ref[i]!)).toBeLessThanOrEqual(Math.abs(ref[i]!) / 256);
    }
    const picked: string[] = [];
    for await (const { info } of b.iterate({ names: ["lm_head.weight", "model.embed_tokens.weight"] }))
      picked.push(info.name);
    expect(picked).toEqual(["model.embed_tokens.weight", "lm_head.weight"]);
    // The index file itself can be opened too.
    const viaIndex = await SafetensorsCheckpoint.open(join(dir, "sharded", "model.safetensors.index.json"));
    expect(viaIndex.tensors.length).toBe(b.tensors.length);
    await Promise.all([a.close(), b.close(), c.close(), viaIndex.close()]);
  });

  it("iterate gives the same data with and without buffer reuse and prefetch", async () => {
    const d = join(dir, "iter-bf16");
    await makeTinyLlamaCheckpoint(d, { seed: 9, dtype: "BF16", maxShardBytes: 15_000, vocabSize: 127 });
    const c = await SafetensorsCheckpoint.open(d);
    for (const reuseBuffers of [false, true]) {
      for (const prefetchBytes of [0, 4096, undefined]) {
        const names: string[] = [];
        for await (const { info, data } of c.iterate({ reuseBuffers, prefetchBytes })) {
          names.push(info.name);
          expect(data).toEqual(await c.readTensor(info.name));
        }
        expect(names).toEqual(c.tensors.map((t) => t.name));
      }
    }
    // Stopping early is fine (a pending prefetch is drained, nothing leaks).
    for await (const { info } of c.iterate()) if (info.name.includes("layers.0")) break;
    await c.close();
  });

  it("iterateChunks reassembles every tensor exactly", async () => {
    const d = join(dir, "chunks-bf16");
    await makeTinyLlamaCheckpoint(d, { seed: 4, dtype: "BF16", maxShardBytes: 15_000 });
    const c = await SafetensorsCheckpoint.open(d);
    for (const chunkElements of [1000, 4096, 1 << 20]) {
      const parts = new Map<string, Float32Array>();
      let last = "";
      for await (const { info, offset, data } of c.iterateChunks({ chunkElements })) {
        if (info.name !== last) expect(offset).toBe(0);
        last = info.name;
        expect(data.length).toBeLessThanOrEqual(chunkElements);
        const whole = parts.get(info.name) ?? new Float32Array(info.shape.reduce((a, b) => a * b, 1));
        whole.set(data, offset);
        parts.set(info.name, whole);
      }
      expect([...parts.keys()]).toEqual(c.tensors.map((t) => t.name));
      for (const [name, whole] of parts) expect(whole).toEqual(await c.readTensor(name));
    }
    await c.close();
  });

  it("reads a folder of several .safetensors files without an index", async () => {
    const d = join(dir, "loose");
    await makeTinyLlamaCheckpoint(d, { seed: 1, maxShardBytes: 30_000 });
    await rm(join(d, "model.safetensors.index.json"));
    const c = await SafetensorsCheckpoint.open(d);
    expect(c.tensors[0]!.name).toBe("model.embed_tokens.weight");
    expect(c.tensors.at(-1)!.name).toBe("lm_head.weight");
    await c.close();
  });

  it("rejects the same tensor in two shards", async () => {
    const d = join(dir, "dup");
    await writeSafetensors(join(d, "a.safetensors"), [
      { name: "x", dtype: "F32", shape: [1], data: new Float32Array([1]) },
    ]);
    await writeSafetensors(join(d, "b.safetensors"), [
      { name: "x", dtype: "F32", shape: [1], data: new Float32Array([2]) },
    ]);
    await expect(SafetensorsCheckpoint.open(d)).rejects.toMatchObject({
      code: "SAFETENSORS_DUPLICATE_TENSOR",
    });
  });
});

describe("large tensors", () => {
  it("reads tensors above the parallel-read threshold exactly (F32 and BF16)", async () => {
    const path = join(dir, "large.safetensors");
    const n = 5_000_003;
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.sin(i) * 1000;
    await writeSafetensors(path, [
      { name: "f32", dtype: "F32", shape: [n], data: a },
      { name: "bf16", dtype: "BF16", shape: [n], data: a },
    ]);
    const c = await SafetensorsCheckpoint.open(path);
    const f = await c.readTensor("f32");
    expect(f.length).toBe(n);
    let bad = 0;
    for (let i = 0; i < n; i += 1) if (f[i] !== a[i]) bad++;
    expect(bad).toBe(0);
    const raw = new Uint16Array((await c.readTensorBytes("bf16")).buffer);
    for await (const { info, data } of c.iterate({ reuseBuffers: true })) {
      if (info.name !== "bf16") continue;
      const bits = new Uint32Array(data.buffer, data.byteOffset, n);
      for (let i = 0; i < n; i++) if (bits[i] !== (raw[i]! << 16) >>> 0) bad++;
      // and within bf16 rounding of the source
      for (let i = 0; i < n; i += 997) if (Math.abs(data[i]! - a[i]!) > Math.abs(a[i]!) / 256) bad++;
    }
    expect(bad).toBe(0);
    await c.close();
  });
});

describe("streaming writer", () => {
  it("writes tensors one at a time and only publishes the file on commit", async () => {
    const path = join(dir, "stream", "out.safetensors");
    const w = await SafetensorsWriter.open(path, [
      { name: "a", dtype: "BF16", shape: [2] },
      { name: "b", dtype: "I32", shape: [1] },
    ]);
    await expect(w.write("b", new Float32Array(1))).rejects.toMatchObject({
      code: "SAFETENSORS_WRITE_INVALID",
    });
    await expect(w.write("a", new Float32Array(3))).rejects.toMatchObject({
      code: "SAFETENSORS_WRITE_INVALID",
    });
    await w.write("a", new Float32Array([1, -3]));
    expect(await readdir(join(dir, "stream"))).not.toContain("out.safetensors");
    await w.writeBytes("b", new Uint8Array(new Int32Array([-7]).buffer));
    await w.commit();
    const c = await SafetensorsCheckpoint.open(path);
    expect(Array.from(await c.readTensor("a"))).toEqual([1, -3]);
    expect(Array.from(await c.readTensor("b"))).toEqual([-7]);
    await c.close();
  });

  it("an incomplete write leaves no file", async () => {
    const path = join(dir, "incomplete", "out.safetensors");
    const w = await SafetensorsWriter.open(path, [{ name: "a", dtype: "F32", shape: [1] }]);
    await expect(w.commit()).rejects.toMatchObject({ code: "SAFETENSORS_WRITE_INVALID" });
    expect(await readdir(join(dir, "incomplete"))).toEqual([]);
  });

  it("rejects duplicate names and data of the wrong length", async () => {
    const t = { name: "a", dtype: "F32" as const, shape: [2], data: new Float32Array(2) };
    await expect(writeSafetensors(join(dir, "x.safetensors"), [t, t])).rejects.toMatchObject({
      code: "SAFETENSORS_WRITE_INVALID",
    });
    await expect(
      writeSafetensors(join(dir, "y.safetensors"), [{ ...t, data: new Float32Array(3) }]),
    ).rejects.toMatchObject({ code: "SAFETENSORS_WRITE_INVALID" });
  });
});
