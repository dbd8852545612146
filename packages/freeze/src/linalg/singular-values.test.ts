import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrtKernels } from "./ort-kernels.js";
import { singularValues } from "./singular-values.js";
import { SingularValuePool } from "./worker-pool.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-svd-"));

/** A matrix from numpy (noise + low-rank signal, columns scaled over `decades` orders of magnitude) and numpy's float64 singular values. */
function numpyCase(
  rows: number,
  cols: number,
  seed: number,
  decades: number,
): { w: Float32Array; s: Float64Array } {
  const code = `
import numpy as np, sys
rng = np.random.default_rng(${seed})
w = rng.standard_normal((${rows}, ${cols}))
w += rng.standard_normal((${rows}, 3)) @ rng.standard_normal((3, ${cols}))
w *= np.logspace(0, -${decades}, ${cols})[None, :]
w = w.astype(np.float32)
w.tofile(sys.argv[1] + "/w.bin")
np.linalg.svd(w.astype(np.float64), compute_uv=False).tofile(sys.argv[1] + "/s.bin")
`;
  execFileSync("python3", ["-c", code, dir]);
  const w = new Float32Array(new Uint8Array(readFileSync(join(dir, "w.bin"))).buffer);
  const s = new Float64Array(new Uint8Array(readFileSync(join(dir, "s.bin"))).buffer);
  return { w, s };
}

function maxRelativeError(got: Float64Array, want: Float64Array): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (want[i] < 1e-6 * want[0]) continue;
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / want[i]);
  }
  return worst;
}

describe("singularValues vs numpy float64 LAPACK", () => {
  let kernels: OrtKernels;
  beforeAll(async () => {
    kernels = await OrtKernels.create(1);
  });
  afterAll(async () => {
    await kernels.release();
  });

  const cases: [number, number, number, Record<string, number>][] = [
    [60, 40, 0, {}], // tall, dense path, JS Gram
    [30, 90, 2, {}], // wide
    [300, 260, 5, { blockSize: 16, denseThreshold: 32 }], // two-stage path, ill-conditioned (σmin/σmax ≈ 1e-5)
    [257, 400, 4, { blockSize: 7, denseThreshold: 32 }], // odd block size, wide, onnxruntime Gram
    [220, 220, 6, { blockSize: 32, denseThreshold: 64 }], // square, ~1e-6 decades
  ];
  for (const [rows, cols, decades, options] of cases) {
    it(`${rows}×${cols}, ${decades} decades of column scaling, ${JSON.stringify(options)}`, async () => {
      const { w, s } = numpyCase(rows, cols, rows + cols, decades);
      const got = await singularValues(w, rows, cols, kernels, options);
      expect(maxRelativeError(got, s)).toBeLessThan(1e-4);
      for (let i = 1; i < got.length; i++) expect(got[i]).toBeLessThanOrEqual(got[i - 1]);
    });
  }

  it("a 1×d matrix gives its norm; a zero matrix gives zeros", async () => {
    const v = Float32Array.of(3, 4);
    expect(Array.from(await singularValues(v, 1, 2, kernels))).toEqual([5]);
    expect(Array.from(await singularValues(new Float32Array(6), 3, 2, kernels))).toEqual([0, 0]);
  });

  it("the worker pool computes the same values on several matrices at once", async () => {
    const pool = new SingularValuePool(2);
    try {
      const a = numpyCase(120, 70, 1, 2);
      const b = numpyCase(50, 130, 2, 1);
      const [ga, gb] = await Promise.all([
        pool.singularValues(Float32Array.from(a.w), 120, 70),
        pool.singularValues(Float32Array.from(b.w), 50, 130),
      ]);
      expect(maxRelativeError(ga, a.s)).toBeLessThan(1e-4);
      expect(maxRelativeError(gb, b.s)).toBeLessThan(1e-4);
    } finally {
      await pool.close();
    }
  });

  it("rejects data of the wrong length", async () => {
    await expect(singularValues(new Float32Array(5), 2, 3, kernels)).rejects.toThrow(/expected 2×3/);
  });
});

void writeFileSync;
