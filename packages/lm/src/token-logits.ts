import type { CausalLM } from "./causal-lm.js";

/**
 * One forward pass over a token sequence (`cftkit lm logits`): the logits at every position and, per hidden
 * state (embeddings … after the final norm), the mean over positions.
 */
export async function tokenLogits(
  model: CausalLM,
  ids: number[],
): Promise<{ logits: number[][]; hiddenMean: number[][] }> {
  const out = await model.forward([ids], { hiddenStates: true });
  const V = model.config.vocabSize;
  const H = model.config.hiddenSize;
  const flat = out.logits[0]!;
  const logits = ids.map((_, p) => Array.from(flat.subarray(p * V, (p + 1) * V)));
  const hiddenMean = out.hiddenStates![0]!.map((layer) => {
    const mean = new Array<number>(H).fill(0);
    for (let p = 0; p < ids.length; p++)
      for (let j = 0; j < H; j++) mean[j]! += layer[p * H + j]! / ids.length;
    return mean;
  });
  return { logits, hiddenMean };
}

/** The `cftkit lm logits --json` document: logits per position, mean hidden state per layer. */
export interface TokenLogitsDocument {
  logits: number[][];
  hidden_mean: number[][];
}

/** The pass in words (`cftkit lm logits` without --json): its sizes, then the 5 likeliest next tokens. */
export function describeTokenLogits(result: TokenLogitsDocument): string[] {
  const last = result.logits.at(-1) ?? [];
  const top = last
    .map((v, i) => [i, v] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  return [
    `positions: ${result.logits.length}, vocab: ${last.length}, layers (hidden states): ${result.hidden_mean.length}`,
    `top-5 next tokens at the last position: ${top.map(([i, v]) => `${i} (${v.toFixed(4)})`).join(", ")}`,
  ];
}
