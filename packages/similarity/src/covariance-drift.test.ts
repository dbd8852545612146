import { SeededRandom } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { covarianceShift } from "./covariance-drift.js";
import { activations, numpyDrift } from "./testing/drift-reference.js";

describe("covarianceShift (Gram formulation) against explicit numpy covariances", () => {
  it.each([
    [12, 9, 5],
    [40, 40, 64],
    [80, 80, 512],
  ])("n_a=%i n_b=%i d=%i", (na, nb, d) => {
    const rng = new SeededRandom(na * 1000 + d);
    const a = activations(rng, na, d, 0);
    const b = activations(rng, nb, d, 0.5);
    const ours = covarianceShift({ data: a, rows: na, dim: d }, { data: b, rows: nb, dim: d });
    const ref = numpyDrift(a, b, na, nb, d);
    expect(Math.abs(ours.spectral - ref.spectral) / ref.spectral).toBeLessThan(1e-4);
    expect(Math.abs(ours.frobenius - ref.frobenius) / ref.frobenius).toBeLessThan(1e-4);
  });

  it("is zero for identical samples and rejects mismatched widths", () => {
    const rng = new SeededRandom(3);
    const a = activations(rng, 10, 8, 0);
    const same = covarianceShift({ data: a, rows: 10, dim: 8 }, { data: a, rows: 10, dim: 8 });
    const scale = covarianceShift(
      { data: a, rows: 10, dim: 8 },
      { data: new Float32Array(80), rows: 10, dim: 8 },
    ).spectral;
    expect(same.spectral / scale).toBeLessThan(1e-6);
    expect(same.frobenius / scale).toBeLessThan(1e-6);
    expect(() => covarianceShift({ data: a, rows: 10, dim: 8 }, { data: a, rows: 8, dim: 10 })).toThrow(
      /widths differ/,
    );
  });
});
