import { describe, expect, it } from "vitest";
import { trainCausalLM } from "./train-causal-lm.js";
import { PAPER_TRAINING_DEFAULTS, trainingSettingsSchema } from "./training-defaults.js";

describe("trainingSettingsSchema (the API's check and `cftkit lm train`'s flags)", () => {
  it("fills in the paper's defaults", () => {
    const d = PAPER_TRAINING_DEFAULTS;
    expect(trainingSettingsSchema.parse({})).toMatchObject({
      learningRate: d.learningRate,
      epochs: d.epochs,
      globalBatchSize: d.globalBatchSize,
      lrScheduler: d.lrScheduler,
      seed: d.seed,
      resume: false,
    });
  });

  it("is what trainCausalLM checks before it reads the model", async () => {
    const base = { modelDir: "no-such-model", outDir: "no-such-out", train: [] };
    for (const [bad, key] of [
      [{ learningRate: 0 }, "learningRate"],
      [{ warmupSteps: 1.5 }, "warmupSteps"],
      [{ maxSteps: 0 }, "maxSteps"],
      [{ lrScheduler: "step" }, "lrScheduler"],
    ] as const) {
      await expect(trainCausalLM({ ...base, ...(bad as object) })).rejects.toMatchObject({
        code: "LM_BAD_TRAIN_OPTIONS",
        message: expect.stringContaining(key),
      });
    }
  });
});
