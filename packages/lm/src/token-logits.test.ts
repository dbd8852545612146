import { describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import { describeTokenLogits, tokenLogits } from "./token-logits.js";

describe("tokenLogits (cftkit lm logits)", () => {
  it("gives vocab-sized logits per position and the per-layer mean the batched hidden-states path gives", async () => {
    const model = await CausalLM.init({ preset: "tiny", seed: 2 });
    try {
      const ids = [256, 72, 101, 108];
      const { logits, hiddenMean } = await tokenLogits(model, ids);
      expect(logits.map((row) => row.length)).toEqual(ids.map(() => model.config.vocabSize));
      expect(hiddenMean).toHaveLength(model.config.numHiddenLayers + 1);
      const [batched] = await model.meanHiddenStatesOfIds([ids]);
      for (const [l, mean] of hiddenMean.entries())
        for (const [j, v] of mean.entries()) expect(Math.abs(v - batched![l]![j]!)).toBeLessThan(1e-4);
    } finally {
      model.dispose();
    }
  });
});

describe("describeTokenLogits", () => {
  it("the sizes, then the five likeliest next tokens at the last position, likeliest first", () => {
    const logits = [
      [0, 0, 0, 0, 0, 0, 0],
      [0.5, 3, -1, 2, 7, 1, 0.25],
    ];
    expect(describeTokenLogits({ logits, hidden_mean: [[0], [0], [0]] })).toEqual([
      "positions: 2, vocab: 7, layers (hidden states): 3",
      "top-5 next tokens at the last position: 4 (7.0000), 1 (3.0000), 3 (2.0000), 5 (1.0000), 0 (0.5000)",
    ]);
  });
});
