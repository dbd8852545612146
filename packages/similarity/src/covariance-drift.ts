import { CftkitError } from "@cftkit/core";
import { symmetricEigenSystem } from "./symmetric-eigen.js";

/** Samples as rows of a row-major matrix: `rows` samples of `dim` values each. */
export interface SampleMatrix {
  data: Float32Array | Float64Array;
  rows: number;
  dim: number;
}

export interface CovarianceShift {
  /** ‖Σ_b − Σ_a‖₂: the largest absolute eigenvalue of the difference of the sample covariances. */
  spectral: number;
  /** ‖Σ_b − Σ_a‖_F. */
  frobenius: number;
}

/** Centred rows scaled by 1/sqrt(n−1), so that Zᵀ Z is the unbiased sample covariance (numpy.cov). */
function centredScaled(m: SampleMatrix): Float64Array {
  const { rows, dim, data } = m;
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) mean[j]! += data[r * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= rows;
  const scale = 1 / Math.sqrt(rows - 1);
  const z = new Float64Array(rows * dim);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < dim; j++) z[r * dim + j] = (data[r * dim + j]! - mean[j]!) * scale;
  return z;
}

/**
 * The shift between two sample covariances without forming either d×d matrix.
 *
 * With Z_a, Z_b the centred, scaled samples, Σ_b − Σ_a = Mᵀ S M where M = [Z_b; Z_a] (m = n_a + n_b rows)
 * and S = diag(+1…, −1…). Its non-zero eigenvalues are those of the m×m symmetric G^{1/2} S G^{1/2},
 * G = M Mᵀ (Gram matrix), because X Y and Y X share non-zero eigenvalues. The Frobenius norm follows from
 * Gram blocks alone: ‖Σ_b − Σ_a‖²_F = ‖G_bb‖²_F − 2‖G_ab‖²_F + ‖G_aa‖²_F. Cost: O(m² d + m³).
 */
export function covarianceShift(a: SampleMatrix, b: SampleMatrix): CovarianceShift {
  if (a.dim !== b.dim) {
    throw new CftkitError("DRIFT_DIM_MISMATCH", `activation widths differ: ${a.dim} vs ${b.dim}`);
  }
  if (a.rows < 2 || b.rows < 2) {
    throw new CftkitError(
      "DRIFT_TOO_FEW_SAMPLES",
      `a covariance needs at least 2 samples (got ${a.rows} and ${b.rows})`,
    );
  }
  const dim = a.dim;
  const zb = centredScaled(b);
  const za = centredScaled(a);
  const m = a.rows + b.rows;
  const rowsOf = (i: number): [Float64Array, number] =>
    i < b.rows ? [zb, i * dim] : [za, (i - b.rows) * dim];
  const gram = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const [xi, oi] = rowsOf(i);
    for (let j = i; j < m; j++) {
      const [xj, oj] = rowsOf(j);
      let s = 0;
      for (let k = 0; k < dim; k++) s += xi[oi + k]! * xj[oj + k]!;
      gram[i * m + j] = s;
      gram[j * m + i] = s;
    }
  }
  // Frobenius from the Gram blocks.
  let bb = 0;
  let aa = 0;
  let ab = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      const g2 = gram[i * m + j]! ** 2;
      const ib = i < b.rows;
      const jb = j < b.rows;
      if (ib && jb) bb += g2;
      else if (!ib && !jb) aa += g2;
      else ab += g2; // both off-diagonal blocks: counts 2‖G_ab‖²
    }
  }
  const frobenius = Math.sqrt(Math.max(0, bb - ab + aa));

  // G^{1/2} from G = V Λ Vᵀ, then the eigenvalues of G^{1/2} S G^{1/2}.
  const { values, vectors } = symmetricEigenSystem(gram, m);
  const root = new Float64Array(m * m);
  for (let k = 0; k < m; k++) {
    const s = Math.sqrt(Math.max(0, values[k]!));
    if (s === 0) continue;
    for (let i = 0; i < m; i++) {
      const vik = vectors[i * m + k]! * s;
      if (vik === 0) continue;
      for (let j = 0; j < m; j++) root[i * m + j]! += vik * vectors[j * m + k]!;
    }
  }
  const signed = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += root[i * m + k]! * (k < b.rows ? 1 : -1) * root[k * m + j]!;
      signed[i * m + j] = s;
      signed[j * m + i] = s;
    }
  }
  const eig = symmetricEigenSystem(signed, m, false).values;
  let spectral = 0;
  for (const v of eig) spectral = Math.max(spectral, Math.abs(v));
  return { spectral, frobenius };
}
