import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareModels, modelParameterDifference } from "./model-parameter-difference.js";

const reference = fileURLToPath(new URL("../../../tools/reference/mpd.py", import.meta.url));

describe("MPD against numpy on independently written checkpoints", () => {
  it("matches numpy to 1e-5 relative (F32 and BF16) and normalises by the largest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    const expected = JSON.parse(
      execFileSync("python3", [reference, "make", dir, "7"], { encoding: "utf8" }),
    ) as {
      near: number;
      far: number;
      normalized: { near: number; far: number };
    };
    const results = await compareModels(join(dir, "base"), [join(dir, "near"), join(dir, "far")]);
    expect(Math.abs(results[0]!.mpd - expected.near) / expected.near).toBeLessThan(1e-5);
    expect(Math.abs(results[1]!.mpd - expected.far) / expected.far).toBeLessThan(1e-5);
    expect(results[0]!.normalized).toBeCloseTo(expected.normalized.near, 6);
    expect(results[1]!.normalized).toBe(1);
  });

  it("refuses checkpoints with different tensor sets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    execFileSync("python3", [reference, "make", dir, "1"]);
    const other = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    const { writeSafetensors } = await import("@cftkit/safetensors");
    await writeSafetensors(join(other, "model.safetensors"), [
      { name: "model.norm.weight", dtype: "F32", shape: [16], data: new Float32Array(16) },
    ]);
    await expect(modelParameterDifference(join(dir, "base"), other)).rejects.toMatchObject({
      code: "MPD_TENSOR_SET_MISMATCH",
    });
  });
});
