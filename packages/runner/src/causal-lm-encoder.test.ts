import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLmEncoder } from "./causal-lm-encoder.js";

describe("CausalLmEncoder", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-lm-encoder-"));
  const model = join(dir, "tiny");
  beforeAll(async () => {
    const lm = await CausalLM.init({ preset: "tiny", seed: 9 });
    await lm.save(model);
    lm.dispose();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a model over the memory budget is streamed layer by layer and embeds as the in-memory model does", async () => {
    const texts = [
      "The cat sat on the mat.",
      "Short",
      "A somewhat longer sentence about rivers and bridges.",
    ];
    const held = await CausalLmEncoder.load(model);
    const streamed = await CausalLmEncoder.load(model, { memoryBudgetBytes: 1024 });
    try {
      expect(held.streamed).toBe(false);
      expect(streamed.streamed).toBe(true);
      const [a, b] = [await held.embed(texts), await streamed.embed(texts)];
      expect(b).toHaveLength(texts.length);
      for (const [i, row] of a.entries()) {
        expect(b[i]).toHaveLength(row.length);
        let diff = 0;
        let scale = 0;
        for (let j = 0; j < row.length; j++) {
          diff = Math.max(diff, Math.abs(b[i]![j]! - row[j]!));
          scale = Math.max(scale, Math.abs(row[j]!));
        }
        expect(diff / scale).toBeLessThan(1e-5);
      }
    } finally {
      held.dispose();
      streamed.dispose();
    }
  });
});
