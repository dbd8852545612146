/** Next-token choice from one row of logits: greedy, or temperature + top-p (nucleus) sampling. */
import type { SeededRandom } from "@cftkit/core";

/** Index of the largest value (first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Pick a token. temperature <= 0 → greedy. Otherwise softmax(logits / temperature), keep the smallest
 * set of most probable tokens whose probability reaches `topP` (HF TopPLogitsWarper: at least one token),
 * renormalise and draw with `rng`.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  temperature: number,
  topP: number,
  rng: SeededRandom,
): number {
  if (!(temperature > 0)) return argmax(logits);
  const n = logits.length;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  const probs = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.exp((logits[i]! - max) / temperature);
    probs[i] = p;
    sum += p;
  }
  for (let i = 0; i < n; i++) probs[i]! /= sum;
  let candidates: number[];
  if (topP < 1) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
    candidates = [];
    let cum = 0;
    for (const i of order) {
      candidates.push(i);
      cum += probs[i]!;
      if (cum >= topP) break;
    }
  } else candidates = Array.from({ length: n }, (_, i) => i);
  let total = 0;
  for (const i of candidates) total += probs[i]!;
  let r = rng.next() * total;
  for (const i of candidates) {
    r -= probs[i]!;
    if (r < 0) return i;
  }
  return candidates[candidates.length - 1]!;
}
