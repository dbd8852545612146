import { describe, expect, it } from "vitest";
import { deriveBatchLayout } from "./batch-layout.js";

describe("deriveBatchLayout", () => {
  it("keeps micro × accumulation × world = global for every GPU count that divides it", () => {
    for (const world of [1, 2, 4, 8, 16]) {
      for (const micro of [undefined, 1, 2]) {
        if (micro !== undefined && (16 / world) % micro !== 0) continue;
        const l = deriveBatchLayout({ globalBatchSize: 16, worldSize: world, microBatchSize: micro });
        expect(l.microBatchSize * l.gradientAccumulationSteps * l.worldSize).toBe(16);
        if (micro !== undefined) expect(l.microBatchSize).toBe(micro);
      }
    }
    expect(deriveBatchLayout({ globalBatchSize: 16, worldSize: 1 })).toMatchObject({
      microBatchSize: 4,
      gradientAccumulationSteps: 4,
    });
    expect(deriveBatchLayout({ globalBatchSize: 16, worldSize: 4 })).toMatchObject({
      microBatchSize: 4,
      gradientAccumulationSteps: 1,
    });
    expect(deriveBatchLayout({ globalBatchSize: 24, worldSize: 2, maxMicroBatchSize: 5 })).toMatchObject({
      microBatchSize: 4,
      gradientAccumulationSteps: 3,
    });
  });

  it("refuses layouts that cannot keep the global batch", () => {
    expect(() => deriveBatchLayout({ globalBatchSize: 16, worldSize: 3 })).toThrow(
      /cannot be split evenly over 3 GPUs/,
    );
    expect(() => deriveBatchLayout({ globalBatchSize: 16, worldSize: 4, microBatchSize: 3 })).toThrow(
      /does not divide/,
    );
    expect(() => deriveBatchLayout({ globalBatchSize: 16, worldSize: 32 })).toThrow(
      /TRAIN_BATCH|split evenly/,
    );
  });
});
