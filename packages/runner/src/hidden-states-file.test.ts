import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { readActivationFile } from "@cftkit/similarity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeHiddenStatesFile, writeHiddenStatesFile } from "./hidden-states-file.js";

describe("writeHiddenStatesFile (cftkit lm hidden-states)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-hidden-file-"));
  const model = join(dir, "tiny");
  const prompts = join(dir, "prompts.jsonl");
  beforeAll(async () => {
    const lm = await CausalLM.init({ preset: "tiny", seed: 6 });
    await lm.save(model);
    lm.dispose();
    const rows = ["Hello there", "A longer prompt about rivers", "x"];
    writeFileSync(prompts, `${rows.map((prompt) => JSON.stringify({ prompt })).join("\n")}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one row per prompt and layer, the same numbers held in memory or streamed", async () => {
    const common = { prompts, limit: 2, engine: "embedded" as const, batchSize: 2, batchTokens: 64 };
    const notes: string[] = [];
    const held = await writeHiddenStatesFile(model, join(dir, "held.safetensors"), {
      ...common,
      log: (line) => notes.push(line),
    });
    const streamed = await writeHiddenStatesFile(model, join(dir, "streamed.safetensors"), {
      ...common,
      stream: true,
    });
    expect(held).toMatchObject({ engine: "in-memory", samples: 2, layers: 3 });
    expect(streamed).toMatchObject({ engine: "streamed", samples: 2, layers: 3, resumed_after_layer: null });
    expect(notes[0]).toMatch(/hidden states of 2 prompts from .*prompts\.jsonl/);
    expect(existsSync(join(dir, "streamed.safetensors.work"))).toBe(false);
    const [a, b] = [
      await readActivationFile(join(dir, "held.safetensors")),
      await readActivationFile(join(dir, "streamed.safetensors")),
    ];
    expect(a.layers.map((l) => [l.rows, l.dim])).toEqual(b.layers.map((l) => [l.rows, l.dim]));
    expect(a.layers[0]!.rows).toBe(2);
    for (const [i, layer] of a.layers.entries())
      for (let j = 0; j < layer.data.length; j++)
        expect(Math.abs(layer.data[j]! - b.layers[i]!.data[j]!)).toBeLessThan(1e-4);
  });

  it("without prompts reads the bundled MT-Bench questions; a model over the GiB budget is streamed", async () => {
    const notes: string[] = [];
    const out = join(dir, "bundled.safetensors");
    const result = await writeHiddenStatesFile(model, out, {
      limit: 2,
      engine: "embedded",
      batchSize: 2,
      batchTokens: 64,
      memoryBudgetGiB: 1e-6,
      log: (line) => notes.push(line),
    });
    expect(result).toMatchObject({ engine: "streamed", samples: 2 });
    expect(notes[0]).toMatch(/hidden states of 2 prompts from .*data\/mt_bench\/question\.jsonl$/);
    expect(notes[1]).toMatch(/^streaming the model one layer at a time: /);
    expect((await readActivationFile(out)).metadata.prompts).toMatch(/data\/mt_bench\/question\.jsonl$/);
    expect(describeHiddenStatesFile(result, out)).toBe(`wrote ${out}: 3 layers × 2 samples × 64 (streamed)`);
  });

  it("refuses streaming with the transformers engine, and a budget that is not positive", async () => {
    const common = { prompts, engine: "transformers" as const, batchSize: 2, batchTokens: 64 };
    const out = join(dir, "never.safetensors");
    await expect(writeHiddenStatesFile(model, out, { ...common, stream: true })).rejects.toMatchObject({
      code: "RUN_BAD_OPTION",
      message: "stream applies to the embedded engine, not the transformers engine",
    });
    await expect(
      writeHiddenStatesFile(model, out, { ...common, engine: "embedded", memoryBudgetGiB: 0 }),
    ).rejects.toMatchObject({ code: "RUN_BAD_OPTION", message: expect.stringContaining("memoryBudgetGiB") });
    expect(existsSync(out)).toBe(false);
  });
});
