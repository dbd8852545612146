import { householder } from "./householder.js";
import type { OrtKernels } from "./ort-kernels.js";

/**
 * First stage of the two-stage symmetric eigen-reduction: a dense symmetric matrix (n×n row-major,
 * float64) is reduced to a symmetric band matrix of bandwidth b by orthogonal similarity, one panel of
 * b columns at a time: Householder QR of the panel below the diagonal block (JS, O(r·b²)), then the
 * two-sided update of the trailing matrix as matrix products on onnxruntime (O(r²·b), all level-3).
 * Returns the band matrix in dense row-major storage (zeros outside the band). `a` is consumed.
 */
export async function reduceToBand(
  a: Float64Array,
  n: number,
  b: number,
  kernels: OrtKernels,
): Promise<Float64Array> {
  const out = new Float64Array(n * n);
  let cur = a;
  let r0 = n;
  let g = 0;
  const vcol = new Float64Array(n);
  while (r0 > b + 1) {
    const r = r0 - b;
    // Diagonal block → output.
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < b; j++) out[(g + i) * n + g + j] = cur[i * r0 + j];
    }
    // Panel P = cur[b:, 0:b], stored column-major (b columns of length r).
    const p = new Float64Array(r * b);
    for (let i = 0; i < r; i++) {
      const row = (b + i) * r0;
      for (let j = 0; j < b; j++) p[j * r + i] = cur[row + j];
    }
    const taus = new Float64Array(b);
    const kmax = Math.min(r, b);
    for (let j = 0; j < kmax; j++) {
      const { tau, beta } = householder(p, j * r + j, 1, r - j, vcol);
      taus[j] = tau;
      // Store v below the diagonal of column j, beta on it.
      p[j * r + j] = beta;
      for (let i = 1; i < r - j; i++) p[j * r + j + i] = vcol[i];
      if (tau === 0) continue;
      // Apply H_j to the remaining panel columns.
      for (let c = j + 1; c < b; c++) {
        const col = c * r;
        let s = p[col + j];
        for (let i = 1; i < r - j; i++) s += vcol[i] * p[col + j + i];
        s *= tau;
        p[col + j] -= s;
        for (let i = 1; i < r - j; i++) p[col + j + i] -= s * vcol[i];
      }
    }
    // R (upper trapezoidal, kmax×b) → output at rows g+b.., cols g..; and its transpose.
    for (let i = 0; i < kmax; i++) {
      for (let j = i; j < b; j++) {
        const x = p[j * r + i];
        out[(g + b + i) * n + g + j] = x;
        out[(g + j) * n + g + b + i] = x;
      }
    }
    // V (r×b row-major, unit lower trapezoidal) and T (b×b upper triangular, forward columnwise).
    const v = new Float64Array(r * b);
    for (let j = 0; j < kmax; j++) {
      v[j * b + j] = 1;
      for (let i = j + 1; i < r; i++) v[i * b + j] = p[j * r + i];
    }
    const t = new Float64Array(b * b);
    const tmp = new Float64Array(b);
    for (let j = 0; j < kmax; j++) {
      const tau = taus[j];
      t[j * b + j] = tau;
      if (j === 0 || tau === 0) continue;
      // tmp[0:j] = -tau · V[:, 0:j]ᵀ v_j
      for (let c = 0; c < j; c++) tmp[c] = 0;
      for (let i = j; i < r; i++) {
        const vij = v[i * b + j];
        if (vij === 0) continue;
        const row = i * b;
        for (let c = 0; c < j; c++) tmp[c] += v[row + c] * vij;
      }
      // T[0:j, j] = T[0:j, 0:j] · (−tau · tmp)
      for (let c = 0; c < j; c++) {
        let s = 0;
        for (let k = c; k < j; k++) s += t[c * b + k] * tmp[k];
        t[c * b + j] = -tau * s;
      }
    }
    const th = new Float64Array(b * b);
    for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) th[i * b + j] = 0.5 * t[j * b + i];
    cur = await kernels.bandStep(cur, r0, b, v, t, th);
    r0 = r;
    g += b;
  }
  for (let i = 0; i < r0; i++) {
    for (let j = 0; j < r0; j++) out[(g + i) * n + g + j] = cur[i * r0 + j];
  }
  return out;
}
