import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import { readModelConfig } from "./model-config.js";
import { alpacaExamples } from "./testing/training-fixtures.js";
import { trainCausalLM } from "./train-causal-lm.js";
import { estimateTrainingMemory } from "./training-memory.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "cftkit-train-mem-"));
  const model = await CausalLM.init({ preset: "tiny", seed: 1 });
  await model.save(join(root, "base"));
  model.dispose();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("training memory", () => {
  it("grows with the micro-batch and quadratically with the sequence", async () => {
    const config = await readModelConfig(join(root, "base"));
    const at = (rows: number, length: number) =>
      estimateTrainingMemory(config, {
        parameters: 1e5,
        trainableParameters: 1e5,
        rows,
        length,
        engine: "ort",
      }).activationBytes;
    expect(at(8, 256)).toBeCloseTo(2 * at(4, 256), 0);
    expect(at(1, 2048) / at(1, 1024)).toBeGreaterThan(3);
  });

  it("refuses before training, naming the micro-batch that fits, instead of failing after minutes", async () => {
    const outDir = join(root, "out");
    const started = Date.now();
    const error = await trainCausalLM({
      modelDir: join(root, "base"),
      outDir,
      train: alpacaExamples(0, 32),
      globalBatchSize: 16,
      microBatchSize: 16,
      sequenceLength: 512,
      maxSteps: 1,
      memoryBudgetBytes: 100 * 1024 ** 2,
    }).catch((e: unknown) => e);
    expect(isCftkitError(error) && error.code).toBe("LM_TRAIN_OUT_OF_MEMORY");
    expect((error as Error).message).toMatch(/lower --micro-batch to \d+ or less/);
    expect(existsSync(join(outDir, "metrics.jsonl"))).toBe(false);
    expect(Date.now() - started).toBeLessThan(60_000);
    // the micro-batch it names does fit
    const fits = Number((error as Error).message.match(/--micro-batch to (\d+)/)![1]);
    const result = await trainCausalLM({
      modelDir: join(root, "base"),
      outDir,
      train: alpacaExamples(0, 32),
      globalBatchSize: 16,
      microBatchSize: fits,
      sequenceLength: 512,
      maxSteps: 1,
      memoryBudgetBytes: 100 * 1024 ** 2,
    });
    expect(result.steps).toBe(1);
  }, 120_000);
});
