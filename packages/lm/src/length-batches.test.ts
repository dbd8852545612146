import { describe, expect, it } from "vitest";
import { lengthBatches } from "./causal-lm.js";

describe("lengthBatches (logLikelihood's forward batches)", () => {
  it("groups by length, keeps every index once, and splits long rows by attention memory", () => {
    const lengths = [5, 3000, 10, 2900, 7, 12];
    const batches = lengthBatches(lengths, 16, 4);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    // short rows share a batch; each ~3000-token row is alone (4 heads × 3000² × 4 bytes ≈ 144 MB each)
    expect(batches).toEqual([[0, 4, 2, 5], [3], [1]]);
    expect(lengthBatches(lengths, 2, 4)[0]).toEqual([0, 4]);
  });
});
