import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectArtifacts } from "./training-artifacts.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("collectArtifacts", () => {
  it.each(["../../../../etc/passwd", "/etc/passwd"])(
    "refuses an index whose weight_map names %s (PATH_OUTSIDE_FOLDER)",
    async (shard) => {
      const dir = await mkdtemp(join(tmpdir(), "cftkit-artifacts-"));
      dirs.push(dir);
      await writeFile(
        join(dir, "model.safetensors.index.json"),
        JSON.stringify({ metadata: {}, weight_map: { "a.weight": shard } }),
      );
      await expect(collectArtifacts(dir)).rejects.toMatchObject({ code: "PATH_OUTSIDE_FOLDER" });
    },
  );
});
