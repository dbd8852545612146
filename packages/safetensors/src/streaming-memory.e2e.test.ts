// `npm run test:e2e`: a 2.2 GB BF16 checkpoint streams through iterate() in a child process whose peak RSS stays
// well under 500 MB (it is bounded by the largest tensor, not the checkpoint), and iterateChunks() under 300 MB.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShardedSafetensorsWriter, type TensorSpec } from "./index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-st-e2e-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("streaming memory", () => {
  it("streams a 2.2 GB checkpoint with peak RSS under 500 MB (iterate) and 300 MB (iterateChunks)", async () => {
    const specs: TensorSpec[] = [];
    for (let i = 0; i < 64; i++)
      specs.push({ name: `model.layers.${i}.mlp.up_proj.weight`, dtype: "BF16", shape: [4096, 4224] });
    const writer = await ShardedSafetensorsWriter.open(join(dir, "model"), specs, { maxShardBytes: 1e9 });
    const bytes = new Uint8Array(4096 * 4224 * 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0x7f;
    for (const s of specs) await writer.writeBytes(s.name, bytes);
    await writer.commit();
    for (const [mode, limitMB] of [
      ["stream", 500],
      ["stream-reuse", 500],
      ["stream-chunks", 300],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        [
          "--conditions=source",
          "--import",
          "tsx",
          "bench/safetensors.ts",
          "--child",
          mode,
          join(dir, "model"),
        ],
        { cwd: repoRoot, encoding: "utf8" },
      );
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { bytes: number; maxRssMB: number };
      expect(result.bytes).toBeGreaterThan(2.2e9);
      expect(result.maxRssMB, mode).toBeLessThan(limitMB);
    }
  });
});
