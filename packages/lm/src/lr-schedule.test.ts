import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type LrSchedulerName, learningRateAt } from "./lr-schedule.js";

const script = fileURLToPath(new URL("../../../tools/reference/lr_schedule.py", import.meta.url));

describe("learningRateAt", () => {
  it("matches the Hugging Face schedule formulas (independent python reference)", () => {
    const cases: {
      scheduler: LrSchedulerName;
      lr: number;
      warmup: number;
      total: number;
      steps: number[];
    }[] = [];
    for (const scheduler of ["cosine", "linear", "constant"] as const) {
      for (const [warmup, total] of [
        [10, 100],
        [0, 37],
        [5, 5],
        [3, 1],
        [10, 250],
      ] as const) {
        const steps = Array.from({ length: total + 3 }, (_, i) => i);
        cases.push({ scheduler, lr: 1e-6 * (1 + warmup), warmup, total, steps });
      }
    }
    const expected = JSON.parse(
      execFileSync("python3", [script], { input: JSON.stringify(cases), encoding: "utf8" }),
    ) as number[][];
    cases.forEach((c, i) => {
      const got = c.steps.map((s) =>
        learningRateAt(s, {
          learningRate: c.lr,
          warmupSteps: c.warmup,
          totalSteps: c.total,
          scheduler: c.scheduler,
        }),
      );
      got.forEach((v, j) => {
        expect(Math.abs(v - expected[i]![j]!)).toBeLessThanOrEqual(
          1e-15 + 1e-12 * Math.abs(expected[i]![j]!),
        );
      });
    });
  });

  it("warms up linearly from 0 and decays to 0 for cosine", () => {
    const o = { learningRate: 1, warmupSteps: 10, totalSteps: 110, scheduler: "cosine" as const };
    expect(learningRateAt(0, o)).toBe(0);
    expect(learningRateAt(5, o)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(10, o)).toBeCloseTo(1, 12);
    expect(learningRateAt(60, o)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(110, o)).toBeCloseTo(0, 12);
  });
});
