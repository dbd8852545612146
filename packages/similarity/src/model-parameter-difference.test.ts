import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareModels,
  describeMpdReport,
  MPD_DEFINITION,
  modelParameterDifference,
  mpdReport,
} from "./model-parameter-difference.js";

const reference = fileURLToPath(new URL("../../../tools/reference/mpd.py", import.meta.url));

describe("MPD (Definition 2) against numpy on independently written checkpoints", () => {
  it("compares three fine-tuned models with a reference model (F32 and BF16) and normalises by the largest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    const expected = JSON.parse(
      execFileSync("python3", [reference, "make", dir, "7"], { encoding: "utf8" }),
    ) as { mpd: Record<string, number>; normalized: Record<string, number> };
    const names = ["similar", "other", "far"];
    const results = await compareModels(
      join(dir, "reference"),
      names.map((n) => join(dir, n)),
    );
    names.forEach((name, i) => {
      expect(Math.abs(results[i]!.mpd - expected.mpd[name]!) / expected.mpd[name]!).toBeLessThan(1e-5);
      expect(results[i]!.normalized).toBeCloseTo(expected.normalized[name]!, 6);
      expect(results[i]!.tensors).toBe(6);
    });
    // The model sharing most of the reference's fine-tuning change is closest (Table 4's reading).
    expect(results[0]!.normalized).toBeLessThan(results[1]!.normalized);
    expect(results[2]!.normalized).toBe(1);
    // Symmetric, and not the distance from the base: against the base the numbers differ.
    const swapped = await modelParameterDifference(join(dir, "far"), join(dir, "reference"));
    expect(swapped.mpd).toBeCloseTo(results[2]!.mpd, 10);
    const fromBase = await modelParameterDifference(join(dir, "base"), join(dir, "far"));
    expect(Math.abs(fromBase.mpd - results[2]!.mpd)).toBeGreaterThan(0.05 * results[2]!.mpd);
    // The report document carries the same numbers, with the definition and the reference (also as `base`).
    const report = await mpdReport(join(dir, "reference"), [join(dir, "far")]);
    expect(report).toMatchObject({ definition: MPD_DEFINITION, reference: join(dir, "reference") });
    expect(report.base).toBe(report.reference);
    expect(report.models[0]!.mpd).toBeCloseTo(results[2]!.mpd, 10);
    expect(report.models[0]!.normalized).toBe(1);
  });

  it("refuses checkpoints with different tensor sets", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    execFileSync("python3", [reference, "make", dir, "1"]);
    const other = mkdtempSync(join(tmpdir(), "cftkit-mpd-"));
    const { writeSafetensors } = await import("@cftkit/safetensors");
    await writeSafetensors(join(other, "model.safetensors"), [
      { name: "model.norm.weight", dtype: "F32", shape: [16], data: new Float32Array(16) },
    ]);
    await expect(modelParameterDifference(join(dir, "reference"), other)).rejects.toMatchObject({
      code: "MPD_TENSOR_SET_MISMATCH",
    });
  });
});

describe("describeMpdReport", () => {
  it("the definition, the reference, then a row per model with its MPD and normalised value", () => {
    const models = [
      { path: "runs/a", mpd: 0.5, normalized: 1, tensors: 3 },
      { path: "b", mpd: 0.125, normalized: 0.25, tensors: 3 },
    ];
    expect(describeMpdReport({ definition: "MPD", reference: "ref", base: "ref", models })).toEqual([
      "MPD",
      "reference: ref; models compared with it:",
      "model   MPD       normalised",
      "------  --------  ----------",
      "runs/a  0.500000  1.000",
      "b       0.125000  0.250",
    ]);
  });
});
