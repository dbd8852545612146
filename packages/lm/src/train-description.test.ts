import { describe, expect, it } from "vitest";
import { describeTrainResult } from "./train-description.js";

describe("describeTrainResult", () => {
  const result = {
    outDir: "out",
    steps: 12,
    finalLoss: 1.23456,
    metricsPath: "out/metrics.jsonl",
    modelDir: "out",
    resumedFromStep: 0,
    trainableParameters: 10,
    totalParameters: 100,
    skippedExamples: 0,
    seed: 0,
    tokensPerSecond: 1234.5,
    stoppedEarly: false,
  };

  it("a fresh full run: steps, loss, speed, parameters, model and metrics", () => {
    expect(describeTrainResult(result)).toEqual([
      "steps: 12",
      "final loss: 1.2346",
      "tokens/s: 1235",
      "trainable parameters: 10 of 100",
      "model: out",
      "metrics: out/metrics.jsonl",
    ]);
  });

  it("a resumed LoRA run with validation also names the resume step, eval loss and adapter", () => {
    const lines = describeTrainResult({
      ...result,
      resumedFromStep: 4,
      evalLoss: 2,
      modelDir: "out/merged",
      adapterDir: "out",
    });
    expect(lines.slice(0, 2)).toEqual([
      "steps: 12 (resumed from 4)",
      "final loss: 1.2346  eval loss: 2.0000",
    ]);
    expect(lines[4]).toBe("model: out/merged  adapter: out");
  });
});
