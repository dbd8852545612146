import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";

// Folders written by Hugging Face transformers 5.17 itself, with its own outputs (test-fixtures/transformers-5.17/README.md).
const fixtures = fileURLToPath(new URL("../../../test-fixtures/transformers-5.17/", import.meta.url));
const TOKEN_IDS = [1, 5, 17, 42, 99, 7, 250, 3, 64, 128];

function relativeError(ours: ArrayLike<number>, theirs: number[]): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < theirs.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
    scale = Math.max(scale, Math.abs(theirs[i]!));
  }
  return diff / scale;
}

describe("folders written by transformers load with the same outputs", () => {
  it.each(["llama-gqa-f32", "qwen2-bias-tied-bf16", "mistral-f32", "llama3-rope-scaling-f32"])(
    "%s",
    async (name) => {
      const expected = JSON.parse(readFileSync(`${fixtures}${name}.expected.json`, "utf8")) as {
        logits: number[][];
        hidden_mean: number[][];
      };
      const model = await CausalLM.load(`${fixtures}${name}`);
      try {
        const out = await model.forward([TOKEN_IDS], { hiddenStates: true });
        expect(relativeError(out.logits[0]!, expected.logits.flat())).toBeLessThan(1e-4);
        const hidden = out.hiddenStates![0]!;
        expect(hidden).toHaveLength(expected.hidden_mean.length);
        const size = model.config.hiddenSize;
        hidden.forEach((layer, i) => {
          const mean = new Float64Array(size);
          for (let t = 0; t < TOKEN_IDS.length; t++)
            for (let j = 0; j < size; j++) mean[j]! += layer[t * size + j]! / TOKEN_IDS.length;
          expect(relativeError(mean, expected.hidden_mean[i]!)).toBeLessThan(1e-4);
        });
      } finally {
        model.dispose();
      }
    },
  );
});
