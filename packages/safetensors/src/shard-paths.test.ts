import { mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTinyLlamaCheckpoint } from "../../../tools/make-fixtures.js";
import { INDEX_FILE_NAME, SafetensorsCheckpoint } from "./index.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-shards-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A sharded model whose index maps its first tensor to `shard` instead. */
async function modelWithShard(name: string, shard: string | ((folder: string) => Promise<string>)) {
  const folder = join(dir, name);
  await makeTinyLlamaCheckpoint(folder, { seed: 1, maxShardBytes: 20_000 });
  const index = JSON.parse(await readFile(join(folder, INDEX_FILE_NAME), "utf8"));
  const first = Object.keys(index.weight_map)[0] as string;
  index.weight_map[first] = typeof shard === "string" ? shard : await shard(folder);
  await writeFile(join(folder, INDEX_FILE_NAME), JSON.stringify(index));
  return folder;
}

describe("shard paths named by model.safetensors.index.json", () => {
  it.each([
    ["traversal", "../../../../etc/passwd"],
    ["absolute", "/etc/passwd"],
    ["nested traversal", "sub/../../outside.safetensors"],
  ])("refuses a %s path with PATH_OUTSIDE_FOLDER", async (label, shard) => {
    const folder = await modelWithShard(label.replace(/ /g, "-"), shard);
    await expect(SafetensorsCheckpoint.open(folder)).rejects.toMatchObject({
      code: "PATH_OUTSIDE_FOLDER",
      message: expect.stringContaining(shard),
    });
  });

  it("refuses a symlink that leads to a real safetensors file outside the folder", async () => {
    // The target is a valid checkpoint shard, so only the containment check stops it being read.
    await makeTinyLlamaCheckpoint(join(dir, "outside"), { seed: 2 });
    const folder = await modelWithShard("symlink", async (f) => {
      await symlink(join(dir, "outside", "model.safetensors"), join(f, "linked.safetensors"));
      return "linked.safetensors";
    });
    await expect(SafetensorsCheckpoint.open(folder)).rejects.toMatchObject({ code: "PATH_OUTSIDE_FOLDER" });
  });

  it("still opens shards in a subfolder and symlinks that stay inside", async () => {
    const folder = await modelWithShard("inside", async (f) => {
      const index = JSON.parse(await readFile(join(f, INDEX_FILE_NAME), "utf8"));
      const shard = Object.values(index.weight_map)[0] as string;
      await rename(join(f, shard), join(f, `moved-${shard}`));
      await symlink(`moved-${shard}`, join(f, shard));
      return shard;
    });
    const checkpoint = await SafetensorsCheckpoint.open(folder);
    expect(checkpoint.tensors.length).toBeGreaterThan(0);
    await checkpoint.close();
  });
});
