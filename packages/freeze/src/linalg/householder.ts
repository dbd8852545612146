/**
 * Householder reflector generation (LAPACK dlarfg convention): for x = data[off + i*stride], i < len,
 * finds tau, beta and v (v[0] = 1) with (I - tau v vᵀ) x = beta e1. v[1..] is written to `v`.
 * Returns tau (0 when x[1..] is already zero, then H = I).
 */
export function householder(
  data: Float64Array,
  off: number,
  stride: number,
  len: number,
  v: Float64Array,
): { tau: number; beta: number } {
  const alpha = data[off];
  v[0] = 1;
  if (len <= 1) return { tau: 0, beta: alpha };
  let scale = 0;
  for (let i = 1; i < len; i++) {
    const a = Math.abs(data[off + i * stride]);
    if (a > scale) scale = a;
  }
  if (scale === 0) {
    for (let i = 1; i < len; i++) v[i] = 0;
    return { tau: 0, beta: alpha };
  }
  let ss = 0;
  for (let i = 1; i < len; i++) {
    const t = data[off + i * stride] / scale;
    ss += t * t;
  }
  const xnorm = scale * Math.sqrt(ss);
  const mag = Math.max(Math.abs(alpha), xnorm);
  const norm = mag * Math.sqrt((alpha / mag) ** 2 + (xnorm / mag) ** 2);
  const beta = alpha >= 0 ? -norm : norm;
  const tau = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) v[i] = data[off + i * stride] * inv;
  return { tau, beta };
}
