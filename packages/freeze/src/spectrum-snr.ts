/**
 * Spectrum's signal-to-noise ratio of a weight matrix from its singular values, as cognitivecomputations/spectrum
 * computes it (spectrum.py, `calculate_snr_for_layer`):
 *   sigma = (q75(S) − q25(S)) / 1.349        (torch.quantile, linear interpolation)
 *   beta = n/m if n < m else m/n              (n, m = the matrix shape; a 1-D weight is 1×d)
 *   threshold = sigma · (1 + sqrt(beta))      (Marchenko–Pastur edge)
 *   snr = sum(S[S > threshold]) / sum(S[S <= threshold])
 *   value = snr / S[0]
 * Edge cases as coded there: no signal → signal 0; no noise value → noise 1.0 (current code; the older code
 * divided by an empty sum, giving Infinity — `noiseEmpty: "infinity"`); noise sum 0 → Infinity.
 */
export interface SnrParts {
  /** Sum of the singular values above the threshold. */
  signal: number;
  /** Sum of the singular values at or below it (0 when there are none). */
  noise: number;
  /** How many singular values are at or below it. */
  noiseCount: number;
  /** The largest singular value S[0]. */
  sMax: number;
  threshold: number;
  sigma: number;
}

export type NoiseEmptyRule = "one" | "infinity";

/** Linear-interpolation quantile of ascending-sorted values (torch.quantile / numpy default). */
export function quantileSorted(sortedAscending: ArrayLike<number>, q: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return sortedAscending[lo] + (sortedAscending[hi] - sortedAscending[lo]) * frac;
}

/** The parts of Spectrum's SNR from singular values S (any order) of a rows×cols matrix. */
export function snrParts(singularValues: ArrayLike<number>, rows: number, cols: number): SnrParts {
  const asc = Float64Array.from(singularValues).sort();
  const k = asc.length;
  const sMax = k > 0 ? asc[k - 1] : 0;
  const sigma = (quantileSorted(asc, 0.75) - quantileSorted(asc, 0.25)) / 1.349;
  const [n, m] = [rows, cols];
  const beta = n < m ? n / m : m / n;
  const threshold = sigma * (1 + Math.sqrt(beta));
  let signal = 0;
  let noise = 0;
  let noiseCount = 0;
  for (let i = 0; i < k; i++) {
    const s = asc[i];
    if (s > threshold) signal += s;
    else {
      noise += s;
      noiseCount++;
    }
  }
  return { signal, noise, noiseCount, sMax, threshold, sigma };
}

/** The value Spectrum stores (snr / S[0]) from the parts. */
export function snrFromParts(parts: SnrParts, noiseEmpty: NoiseEmptyRule = "one"): number {
  let noise = parts.noise;
  if (parts.noiseCount === 0) noise = noiseEmpty === "one" ? 1 : 0;
  const snr = noise !== 0 ? parts.signal / noise : Number.POSITIVE_INFINITY;
  return snr / parts.sMax;
}

/** Spectrum's SNR value (snr / S[0]) of a rows×cols matrix with singular values S. */
export function spectrumSnr(
  singularValues: ArrayLike<number>,
  rows: number,
  cols: number,
  noiseEmpty: NoiseEmptyRule = "one",
): number {
  return snrFromParts(snrParts(singularValues, rows, cols), noiseEmpty);
}

/** Largest finite double: how +Infinity is written in JSON outputs (−Infinity and NaN as its negative). */
export const INFINITY_ENCODING = Number.MAX_VALUE;

/** A number safe for JSON (and for Spectrum's own YAML step, which sorts the values): ±Infinity → ±MAX_VALUE, NaN → −MAX_VALUE. */
export function finiteForJson(value: number): number {
  if (Number.isFinite(value)) return value;
  if (value === Number.POSITIVE_INFINITY) return INFINITY_ENCODING;
  return -INFINITY_ENCODING;
}
