/** Per-prompt token means of hidden states (accumulated in float64), and the final RMSNorm applied per token. */

/**
 * Mean over each row's tokens: `tokens` holds the rows back to back ([Σ lengths, H]); the means go to
 * `out` rows `firstRow, firstRow + 1, …`.
 */
export function addTokenMeans(
  tokens: Float32Array,
  lengths: readonly number[],
  hiddenSize: number,
  out: Float32Array,
  firstRow: number,
): void {
  const acc = new Float64Array(hiddenSize);
  let offset = 0;
  lengths.forEach((length, r) => {
    acc.fill(0);
    for (let t = 0; t < length; t++, offset += hiddenSize)
      for (let j = 0; j < hiddenSize; j++) acc[j]! += tokens[offset + j]!;
    const base = (firstRow + r) * hiddenSize;
    for (let j = 0; j < hiddenSize; j++) out[base + j] = acc[j]! / length;
  });
}

/** RMSNorm of every H-wide row of `tokens` in place, as the model's final norm (float32 like the forward). */
export function rmsNormRowsInPlace(tokens: Float32Array, weight: Float32Array, eps: number): void {
  const H = weight.length;
  for (let offset = 0; offset < tokens.length; offset += H) {
    let sumSquares = 0;
    for (let j = 0; j < H; j++) sumSquares += tokens[offset + j]! * tokens[offset + j]!;
    const inverse = 1 / Math.sqrt(sumSquares / H + eps);
    for (let j = 0; j < H; j++) tokens[offset + j] = tokens[offset + j]! * inverse * weight[j]!;
  }
}
