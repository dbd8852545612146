import { bandToTridiagonal } from "./band-to-tridiagonal.js";
import { reduceToBand } from "./band-reduction.js";
import type { OrtKernels } from "./ort-kernels.js";
import { tridiagonalEigenvalues } from "./tridiagonal-eigenvalues.js";

export interface SingularValueOptions {
  /** Bandwidth of the first-stage reduction (default 32). */
  blockSize?: number;
  /** Below this size of the Gram matrix the dense matrix goes straight to bulge chasing (default 192). */
  denseThreshold?: number;
}

/**
 * All singular values of a row-major f32 matrix (rows×cols), descending (length min(rows, cols)).
 * Method: the smaller Gram matrix G = WᵀW or WWᵀ in float64 (products of f32 are exact in f64), reduced to
 * band form by blocked Householder (matrix products on onnxruntime), then to tridiagonal form by bulge
 * chasing, eigenvalues by implicit QL, σ = sqrt(max(λ, 0)). All in float64, so each σ ≥ ~1e-6·σmax is
 * accurate to ≈1e-8 relative or better (the Gram matrix squares the condition number: errors are
 * ≈ ε64·σmax²/σ in absolute terms).
 */
export async function singularValues(
  w: Float32Array,
  rows: number,
  cols: number,
  kernels: OrtKernels | null,
  options: SingularValueOptions = {},
): Promise<Float64Array> {
  if (w.length !== rows * cols)
    throw new RangeError(`matrix data has ${w.length} values, expected ${rows}×${cols}`);
  const k = Math.min(rows, cols);
  if (k === 0) return new Float64Array(0);
  if (k === 1) {
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * w[i];
    return Float64Array.of(Math.sqrt(s));
  }
  const blockSize = options.blockSize ?? 32;
  const denseThreshold = options.denseThreshold ?? 192;
  const dbg = process.env.CFTKIT_LINALG_DEBUG === "1";
  let t0 = performance.now();
  const lap = (what: string) => {
    if (!dbg) return;
    const t = performance.now();
    process.stderr.write(`${what} ${((t - t0) / 1000).toFixed(3)}s\n`);
    t0 = t;
  };
  let g: Float64Array;
  if (kernels && rows * cols * k > 4_000_000) g = (await kernels.gram(w, rows, cols)).g;
  else g = gramJs(w, rows, cols);
  lap("gram");
  let band: Float64Array;
  let bw: number;
  if (k <= denseThreshold || !kernels) {
    band = g;
    bw = k - 1;
  } else {
    band = await reduceToBand(g, k, blockSize, kernels);
    bw = blockSize;
  }
  lap("band");
  const { d, e } = bandToTridiagonal(band, k, bw);
  lap("tridiagonal");
  const ev = tridiagonalEigenvalues(d, e);
  lap("ql");
  const s = new Float64Array(k);
  for (let i = 0; i < k; i++) s[i] = Math.sqrt(Math.max(0, ev[k - 1 - i]));
  return s;
}

/** Float64 Gram matrix of the smaller side, in plain JS (small matrices). */
export function gramJs(w: Float32Array, rows: number, cols: number): Float64Array {
  const k = Math.min(rows, cols);
  const g = new Float64Array(k * k);
  if (cols <= rows) {
    // G = WᵀW: accumulate outer products of rows.
    const row = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) row[j] = w[r * cols + j];
      for (let i = 0; i < cols; i++) {
        const x = row[i];
        if (x === 0) continue;
        const base = i * k;
        for (let j = 0; j <= i; j++) g[base + j] += x * row[j];
      }
    }
  } else {
    // G = WWᵀ: dot products of rows.
    const a = Float64Array.from(w);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        const bi = i * cols;
        const bj = j * cols;
        for (let c = 0; c < cols; c++) s += a[bi + c] * a[bj + c];
        g[i * k + j] = s;
      }
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[j * k + i] = g[i * k + j];
  return g;
}
