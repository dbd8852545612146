import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyModelFiles } from "./training-checkpoint.js";

describe("copyModelFiles", () => {
  it("copies config and tokenizer files but not weights or the base run's artifacts", async () => {
    const from = mkdtempSync(join(tmpdir(), "cftkit-model-"));
    const to = mkdtempSync(join(tmpdir(), "cftkit-out-"));
    for (const name of [
      "config.json",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "model.safetensors",
      "metrics.jsonl",
      "axolotl.log",
      "trainer_state.json",
    ]) {
      writeFileSync(join(from, name), "{}");
    }
    await copyModelFiles(from, to);
    expect(readdirSync(to).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
  });
});
