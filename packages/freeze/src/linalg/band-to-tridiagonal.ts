import { householder } from "./householder.js";

/**
 * Reduces a symmetric band matrix (bandwidth b, given densely row-major n×n; only the lower triangle is
 * read) to tridiagonal form by Householder bulge chasing: each sweep annihilates one column and chases
 * the bulge down the band, annihilating only the first column of each bulge block; the fill left behind
 * stays within 2b of the diagonal and is removed by the following sweeps. Works on a packed lower band
 * (row i holds columns i−2b … i), so the working set is n·(2b+1) doubles and stays in cache.
 * Work ≈ 6·b·n² flops. A dense matrix is handled with bandwidth n−1.
 * Returns the diagonal and sub-diagonal.
 */
export function bandToTridiagonal(
  dense: Float64Array,
  n: number,
  bandwidth: number,
): { d: Float64Array; e: Float64Array } {
  const b = Math.max(1, Math.min(bandwidth, n - 1));
  const h = 2 * b;
  const W = h + 1;
  // Packed lower band: element (i, j), i − 2b ≤ j ≤ i, at i*W + (j − i + h).
  const a = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    const j0 = Math.max(0, i - b);
    for (let j = j0; j <= i; j++) a[i * W + j - i + h] = dense[i * n + j];
  }
  const v = new Float64Array(b + 1);
  const w = new Float64Array(b + 1);
  if (b > 1) {
    for (let j = 0; j < n - 2; j++) {
      let c = j;
      let p = j + 1;
      while (p < n - 1) {
        const len = Math.min(b, n - p);
        if (len >= 2) {
          // Column c, rows p..p+len-1: element (p+i, c) at (p+i)*W + c − p − i + h → stride W − 1.
          const col0 = p * W + c - p + h;
          const { tau, beta } = householder(a, col0, W - 1, len, v);
          a[col0] = beta;
          for (let i = 1; i < len; i++) a[col0 + i * (W - 1)] = 0;
          if (tau !== 0) {
            applyLeftBlock(a, W, h, v, len, p, tau, c + 1, p, w);
            applySymmetric(a, W, h, v, len, p, tau, w);
            applyRightBlock(a, W, h, v, len, p, tau, p + len, Math.min(n, p + h));
          }
        }
        c = p;
        p += b;
      }
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) d[i] = a[i * W + h];
  for (let i = 0; i < n - 1; i++) e[i] = a[(i + 1) * W + h - 1];
  return { d, e };
}

/** Rows p..p+len-1, columns c0..c1-1 (left of the diagonal block): A ← (I − τ v vᵀ) A. */
function applyLeftBlock(
  a: Float64Array,
  W: number,
  h: number,
  v: Float64Array,
  len: number,
  p: number,
  tau: number,
  c0: number,
  c1: number,
  w: Float64Array,
): void {
  const width = c1 - c0;
  if (width <= 0) return;
  w.fill(0, 0, width);
  for (let i = 0; i < len; i++) {
    const vi = v[i];
    const base = (p + i) * W + c0 - (p + i) + h;
    for (let k = 0; k < width; k++) w[k] += vi * a[base + k];
  }
  for (let i = 0; i < len; i++) {
    const f = tau * v[i];
    const base = (p + i) * W + c0 - (p + i) + h;
    for (let k = 0; k < width; k++) a[base + k] -= f * w[k];
  }
}

/** The symmetric diagonal block R×R, R = p..p+len-1 (lower triangle): A ← H A H. */
function applySymmetric(
  a: Float64Array,
  W: number,
  h: number,
  v: Float64Array,
  len: number,
  p: number,
  tau: number,
  y: Float64Array,
): void {
  y.fill(0, 0, len);
  for (let i = 0; i < len; i++) {
    const base = (p + i) * W - (p + i) + h + p; // + column index offset from p
    const vi = v[i];
    let s = 0;
    for (let k = 0; k < i; k++) {
      const x = a[base + k];
      s += x * v[k];
      y[k] += x * vi;
    }
    y[i] += s + a[base + i] * vi;
  }
  let dot = 0;
  for (let i = 0; i < len; i++) {
    y[i] *= tau;
    dot += y[i] * v[i];
  }
  const alpha = -0.5 * tau * dot;
  for (let i = 0; i < len; i++) y[i] += alpha * v[i];
  for (let i = 0; i < len; i++) {
    const base = (p + i) * W - (p + i) + h + p;
    const vi = v[i];
    const yi = y[i];
    for (let k = 0; k <= i; k++) a[base + k] -= vi * y[k] + yi * v[k];
  }
}

/** Rows r0..r1-1 (below the diagonal block), columns p..p+len-1: A ← A (I − τ v vᵀ). */
function applyRightBlock(
  a: Float64Array,
  W: number,
  h: number,
  v: Float64Array,
  len: number,
  p: number,
  tau: number,
  r0: number,
  r1: number,
): void {
  for (let r = r0; r < r1; r++) {
    const base = r * W + p - r + h;
    let s = 0;
    for (let i = 0; i < len; i++) s += a[base + i] * v[i];
    if (s === 0) continue;
    s *= tau;
    for (let i = 0; i < len; i++) a[base + i] -= s * v[i];
  }
}
