import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CheckpointListing, describeCheckpoint, listCheckpoint } from "./checkpoint-listing.js";
import { writeSafetensors, writeShardedSafetensors } from "./writer.js";

describe("listCheckpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-listing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tensors = [
    { name: "a.weight", dtype: "F32" as const, shape: [2, 3], data: new Float32Array(6) },
    { name: "b.weight", dtype: "F32" as const, shape: [4], data: new Float32Array(4) },
  ];

  it("names a single file's tensors by the file's own name, with totals and metadata", async () => {
    const file = join(dir, "one", "model.safetensors");
    await writeSafetensors(file, tensors, { format: "pt" });
    const listing = await listCheckpoint(file);
    expect(listing.files).toEqual(["model.safetensors"]);
    expect(listing.tensors.map((t) => [t.name, t.shape, t.file])).toEqual([
      ["a.weight", [2, 3], "model.safetensors"],
      ["b.weight", [4], "model.safetensors"],
    ]);
    expect(listing).toMatchObject({ totalParameters: 10, totalBytes: 40, metadata: { format: "pt" } });
  });

  it("names a sharded folder's files relative to the folder", async () => {
    const folder = join(dir, "sharded");
    await writeShardedSafetensors(folder, tensors, { maxShardBytes: 24 });
    const listing = await listCheckpoint(folder);
    expect(listing.files.length).toBe(2);
    for (const f of listing.files) expect(f).toMatch(/^model-0000\d-of-00002\.safetensors$/);
    expect(new Set(listing.tensors.map((t) => t.file))).toEqual(new Set(listing.files));
  });
});

describe("describeCheckpoint", () => {
  const listing = (files: string[]): CheckpointListing => ({
    tensors: [
      { name: "a.weight", dtype: "F32", shape: [1024, 1024], file: files[0]! },
      { name: "b", dtype: "BF16", shape: [4], file: files.at(-1)! },
    ],
    totalParameters: 1048580,
    totalBytes: 4194312,
    files,
    metadata: {},
  });

  it("one file: name, dtype and shape per tensor, then the totals in words", () => {
    expect(describeCheckpoint(listing(["model.safetensors"]))).toEqual([
      "name      dtype  shape",
      "--------  -----  ------------",
      "a.weight  F32    [1024, 1024]",
      "b         BF16   [4]",
      "",
      "2 tensors in 1 file(s), 1,048,580 parameters, 4.00 MiB",
    ]);
  });

  it("shards: each tensor also names its file", () => {
    const lines = describeCheckpoint(listing(["s-1.safetensors", "s-2.safetensors"]));
    expect(lines[0]).toBe("name      dtype  shape         file");
    expect(lines[3]).toBe("b         BF16   [4]           s-2.safetensors");
    expect(lines.at(-1)).toBe("2 tensors in 2 file(s), 1,048,580 parameters, 4.00 MiB");
  });
});
