import { describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";

describe("decoding", () => {
  it("decodes an empty id list to an empty string (a generation that stops at its first token)", async () => {
    const model = await CausalLM.init({ preset: "tiny", seed: 0 });
    try {
      expect(model.tokenizer!.decode([])).toBe("");
      expect(model.tokenizer!.decode([], { skipSpecialTokens: true })).toBe("");
    } finally {
      model.dispose();
    }
  });
});
