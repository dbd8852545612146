import { describe, expect, it } from "vitest";
import { scoreMultipleChoice } from "./multiple-choice.js";
import { aggregatePerplexity } from "./perplexity.js";

describe("multiple choice acc / acc_norm (lm-eval semantics)", () => {
  it("normalises by continuation length in characters", () => {
    const r = scoreMultipleChoice([
      // raw argmax = 0 (-4); per-char: -4/2 = -2, -6/12 = -0.5 → acc_norm picks 1
      { logLikelihoods: [-4, -6], choices: [" a", " long answer"], gold: 1 },
      { logLikelihoods: [-1, -2, -3], choices: [" x", " y", " z"], gold: 0 },
      // tie → first index, as numpy.argmax
      { logLikelihoods: [-2, -2], choices: [" p", " q"], gold: 1 },
    ]);
    expect(r.acc).toBeCloseTo(1 / 3, 12);
    expect(r.acc_norm).toBeCloseTo(2 / 3, 12);
    expect(r.predictions[0]).toEqual({ acc: 0, acc_norm: 1 });
    expect(() => scoreMultipleChoice([{ logLikelihoods: [-1], choices: ["a"], gold: 2 }])).toThrow(
      /out of range/,
    );
  });
});

describe("perplexity aggregation", () => {
  it("weights by tokens and breaks down by group", () => {
    const r = aggregatePerplexity([
      { logprob: -10, tokenCount: 5, group: "en" },
      { logprob: -30, tokenCount: 10, group: "de" },
      { logprob: 0, tokenCount: 0, group: "de" },
    ]);
    expect(r.meanNll).toBeCloseTo(40 / 15, 12);
    expect(r.perplexity).toBeCloseTo(Math.exp(40 / 15), 9);
    expect(r.meanRecordNll).toBeCloseTo((2 + 3) / 2, 12);
    expect(r.byGroup?.de?.meanNll).toBeCloseTo(3, 12);
    expect(r.byGroup?.en?.tokens).toBe(5);
    expect(() => aggregatePerplexity([{ logprob: 1, tokenCount: 2 }])).toThrow(/≤ 0/);
  });
});
