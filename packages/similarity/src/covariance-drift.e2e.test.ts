import { SeededRandom } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { covarianceShift } from "./covariance-drift.js";
import { activations, numpyDrift } from "./testing/drift-reference.js";

// The size: d = 4096 hidden units, n = 80 samples (MT-Bench). numpy's explicit 4096x4096 eigvalsh
// takes ~20 s on 2 cores, so this lives with the slow tests.
describe("covarianceShift at d=4096, n=80", () => {
  it("matches explicit numpy covariances to 1e-4", () => {
    const rng = new SeededRandom(4096);
    const a = activations(rng, 80, 4096, 0);
    const b = activations(rng, 80, 4096, 0.5);
    const ours = covarianceShift({ data: a, rows: 80, dim: 4096 }, { data: b, rows: 80, dim: 4096 });
    const ref = numpyDrift(a, b, 80, 80, 4096);
    expect(Math.abs(ours.spectral - ref.spectral) / ref.spectral).toBeLessThan(1e-4);
    expect(Math.abs(ours.frobenius - ref.frobenius) / ref.frobenius).toBeLessThan(1e-4);
  });
});
