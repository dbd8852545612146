import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import { alpacaExamples } from "./testing/training-fixtures.js";
import { trainCausalLMFromFiles } from "./train-from-files.js";

let root: string;
let modelDir: string;
let data: string;
let validation: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cftkit-train-files-"));
  modelDir = join(root, "base");
  const model = await CausalLM.init({ preset: "tiny", seed: 2 });
  await model.save(modelDir);
  model.dispose();
  const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");
  data = join(root, "train.jsonl");
  await writeFile(data, jsonl(alpacaExamples(0, 8)));
  validation = join(root, "validation.jsonl");
  // ShareGPT-style rows are read too.
  const shareGpt = alpacaExamples(4000, 2).map((e) => ({
    conversations: e.messages.map((m) => ({ from: m.role === "user" ? "human" : "gpt", value: m.content })),
  }));
  await writeFile(validation, jsonl(shareGpt));
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe("trainCausalLMFromFiles", () => {
  it("trains LoRA adapters on a JSONL file, with eval_loss on the validation file", async () => {
    const lines: string[] = [];
    const outDir = join(root, "lora");
    const result = await trainCausalLMFromFiles({
      modelDir,
      outDir,
      data,
      validation,
      settings: {
        learningRate: 3e-3,
        maxSteps: 2,
        globalBatchSize: 2,
        microBatchSize: 2,
        sequenceLength: 96,
        evalEverySteps: 2,
        maxGradNorm: undefined, // as a flag not given: the default
      },
      lora: { r: 4 },
      log: (line) => lines.push(line),
    });
    expect(lines).toEqual([`training ${modelDir} on 8 examples → ${outDir}`]);
    expect(result.steps).toBe(2);
    expect(result.evalLoss).toBeGreaterThan(0);
    expect(result.adapterDir).toBe(outDir);
    expect(result.modelDir).toBe(join(outDir, "merged"));
  }, 120_000);

  it("refuses a bad row by file and line before anything is written", async () => {
    const bad = join(root, "bad.jsonl");
    await writeFile(bad, `${JSON.stringify(alpacaExamples(0, 1)[0])}\n{"messages": []}\n`);
    const outDir = join(root, "never");
    await expect(trainCausalLMFromFiles({ modelDir, outDir, data: bad })).rejects.toMatchObject({
      code: "LM_TRAIN_BAD_ROW",
      message: `${bad}:2: expected a non-empty "messages" (or "conversations") array`,
    });
    expect(existsSync(outDir)).toBe(false);
    await expect(trainCausalLMFromFiles({ modelDir, outDir, data, validation: "" })).rejects.toMatchObject({
      code: "LM_BAD_TRAIN_OPTIONS",
      message: expect.stringContaining("validation"),
    });
  });
});
