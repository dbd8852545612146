import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelMeanHiddenStates } from "./model-hidden-states.js";

describe("modelMeanHiddenStates (the hidden-states step's engine choice)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-model-hidden-"));
  const model = join(dir, "tiny");
  beforeAll(async () => {
    const lm = await CausalLM.init({ preset: "tiny", seed: 4 });
    await lm.save(model);
    lm.dispose();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("streams a model over the budget, says why, and gives every layer as the in-memory engine does", async () => {
    const texts = ["What is the capital of France?", "Hi", "Write a poem about the sea and its long tides."];
    const notes: string[] = [];
    const held = await modelMeanHiddenStates(model, texts, { workDir: join(dir, "w1"), maxTokens: 16 });
    const streamed = await modelMeanHiddenStates(model, texts, {
      workDir: join(dir, "w2"),
      maxTokens: 16,
      memoryBudgetBytes: 1024,
      log: (line) => notes.push(line),
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/streamed layer by layer .*memory budget/);
    expect(streamed).toHaveLength(texts.length);
    for (const [s, layers] of held.entries()) {
      expect(streamed[s]).toHaveLength(layers.length);
      for (const [l, row] of layers.entries()) {
        const other = streamed[s]![l]!;
        let diff = 0;
        let scale = 0;
        for (let j = 0; j < row.length; j++) {
          diff = Math.max(diff, Math.abs(other[j]! - row[j]!));
          scale = Math.max(scale, Math.abs(row[j]!));
        }
        expect(diff / scale).toBeLessThan(1e-5);
      }
    }
  });
});
