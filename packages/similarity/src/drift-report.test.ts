import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeActivationFile } from "./activation-file.js";
import { describeDriftReport, driftReport } from "./drift-report.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-drift-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Activations of 3 samples × 2 layers × 2 dims; `shift` moves the second layer of the later model. */
const acts = (shift: number) =>
  [0, 1, 2].map((s) => [Float32Array.from([s, 1 - s]), Float32Array.from([s * (1 + shift), s + shift])]);

describe("driftReport (cftkit similarity drift)", () => {
  it("no drift between a file and itself; drift at the changed layer; the chart when asked", async () => {
    const a = join(dir, "a.safetensors");
    const b = join(dir, "b.safetensors");
    await writeActivationFile(a, acts(0), {});
    await writeActivationFile(b, acts(1), {});
    const same = await driftReport(a, a);
    for (const l of same.layers) expect(l.spectral).toBeLessThan(1e-9);
    expect(same.model_level.spectral).toBeLessThan(1e-9);
    const chart = join(dir, "drift.svg");
    const moved = await driftReport(a, b, { chart });
    expect(moved.layers[0]!.spectral).toBeLessThan(1e-9);
    expect(moved.layers[1]!.spectral).toBeGreaterThan(0.1);
    expect(readFileSync(chart, "utf8")).toMatch(/^<svg[\s\S]*Representation drift per layer/);
  });
});

describe("describeDriftReport", () => {
  it("a row per layer, then the model-level drift in words", () => {
    const report = {
      layers: [
        { layer: 0, spectral: 0.5, frobenius: 1.25 },
        { layer: 1, spectral: 12, frobenius: 0.001 },
      ],
      model_level: { spectral: 2, frobenius: 3 },
    };
    expect(describeDriftReport(report)).toEqual([
      "layer  spectral  frobenius",
      "-----  --------  ----------",
      "0      0.500000  1.25000",
      "1      12.0000   0.00100000",
      "",
      "per-model (covariance across layers of mean activations): spectral 2.00000, frobenius 3.00000",
    ]);
  });
});
