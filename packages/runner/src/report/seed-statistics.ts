/**
 * The statistics the multi-seed report uses (docs/report.md, "Seeds and intervals"):
 *
 * - a mean ± 95 % Student-t interval over seeds: mean ± t(0.975, n−1) · s/√n with s the sample standard
 *   deviation (n−1). Seeds are few (3–5), so the t quantile, not the normal 1.96, sets the width;
 * - a paired comparison: the per-seed difference of two strategies that share a seed (same Phase-1 model,
 *   same data order), with the same interval; "distinguishable from seed noise" = that interval excludes 0;
 * - Spearman's rank correlation with average ranks for ties (Pearson's r of the ranks).
 */

/** A mean over seeds and its 95 % Student-t interval (`null` bounds when n < 2: no spread to measure). */
export interface Interval95 {
  mean: number;
  /** Sample standard deviation (n − 1); null when n < 2. */
  sd: number | null;
  n: number;
  /** t(0.975, n − 1) · sd / √n; null when n < 2. */
  half_width: number | null;
  low: number | null;
  high: number | null;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms): double precision is plenty for the t quantile. */
function logGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the regularised incomplete beta (Lentz's method). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** I_x(a, b), the regularised incomplete beta function. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on the CDF; p in (0.5, 1)). */
export function studentTQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and 95 % Student-t interval of values measured once per seed. */
export function interval95(values: readonly number[]): Interval95 {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n < 2) return { mean, sd: null, n, half_width: null, low: null, high: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, n, half_width: half, low: mean - half, high: mean + half };
}

/** The interval of the per-seed differences a[i] − b[i] (a and b measured with the same seeds, in order). */
export function pairedInterval95(a: readonly number[], b: readonly number[]): Interval95 {
  return interval95(a.map((v, i) => v - b[i]!));
}

/** Whether an interval lies wholly on one side of 0 (no interval, e.g. one seed: not distinguishable). */
export function excludesZero(interval: Interval95): boolean {
  return interval.low !== null && interval.high !== null && (interval.low > 0 || interval.high < 0);
}

/** 1-based ranks, ties sharing the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/** Spearman's ρ (Pearson's r of the average ranks); null when either side has no spread or n < 2. */
export function spearmanRho(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length || x.length < 2) return null;
  const [rx, ry] = [averageRanks(x), averageRanks(y)];
  const mean = (r: number[]) => r.reduce((a, v) => a + v, 0) / r.length;
  const [mx, my] = [mean(rx), mean(ry)];
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/**
 * The smallest two-sided p-value an exact permutation test of Spearman's ρ can give for n distinct values:
 * only the two orderings with ρ = ±1 are as extreme as ρ = ±1, of n! equally likely ones. n = 2 gives 1,
 * n = 3 gives 1/3, n = 4 gives 1/12: with fewer than 5 points no rank correlation reaches p < 0.05.
 */
export function spearmanMinPValue(n: number): number {
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return Math.min(1, 2 / factorial);
}
