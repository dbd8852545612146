import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SeededRandom } from "@cftkit/core";
import {
  averageRanks,
  excludesZero,
  type Interval95,
  interval95,
  pairedInterval95,
  spearmanMinPValue,
  spearmanRho,
  studentTQuantile,
} from "./seed-statistics.js";

const script = fileURLToPath(new URL("../../../../tools/reference/seed_stats.py", import.meta.url));

interface Reference {
  intervals: Interval95[];
  paired: Interval95[];
  spearman: (number | null)[];
  min_p: number[];
}

function reference(cases: unknown): Reference {
  return JSON.parse(execFileSync("python3", [script], { input: JSON.stringify(cases), encoding: "utf8" }));
}

function expectInterval(got: Interval95, want: Interval95) {
  expect(got.n).toBe(want.n);
  expect(got.mean).toBeCloseTo(want.mean, 12);
  for (const k of ["sd", "half_width", "low", "high"] as const) {
    if (want[k] === null) expect(got[k]).toBeNull();
    else expect(Math.abs(got[k]! - want[k]!)).toBeLessThan(1e-7 * (1 + Math.abs(want[k]!)));
  }
}

describe("seed statistics (independent python3 + numpy reference, printed t table)", () => {
  const rng = new SeededRandom(7);
  const sample = (n: number, scale: number) => Array.from({ length: n }, () => (rng.next() - 0.5) * scale);

  it("Student-t intervals for 1 to 31 seeds", () => {
    const intervals = [
      [0.25],
      [1, 2, 3],
      [0.01, 0.01, 0.01],
      ...Array.from({ length: 30 }, (_, i) => sample(i + 2, 0.1)),
    ];
    const want = reference({ intervals }).intervals;
    for (const [i, values] of intervals.entries()) expectInterval(interval95(values), want[i]!);
  });

  it("paired intervals of per-seed differences, and which exclude 0", () => {
    const paired = [
      [
        [0.1, 0.12, 0.11],
        [0.05, 0.06, 0.04],
      ],
      [
        [0.1, -0.2, 0.3],
        [0.0, 0.1, -0.1],
      ],
      [sample(5, 1), sample(5, 1)],
    ];
    const want = reference({ paired }).paired;
    paired.forEach(([a, b], i) => {
      const got = pairedInterval95(a!, b!);
      expectInterval(got, want[i]!);
      expect(excludesZero(got)).toBe(want[i]!.low! > 0 || want[i]!.high! < 0);
    });
    expect(excludesZero(pairedInterval95([0.1, 0.12, 0.11], [0.05, 0.06, 0.04]))).toBe(true);
    expect(excludesZero(interval95([0.3]))).toBe(false); // one seed: no interval, never "distinguishable"
  });

  it("Spearman's rho with average ranks for ties", () => {
    const spearman = [
      [
        [0.9, 0.5],
        [0.1, 0.3],
      ],
      [
        [1, 2, 3],
        [3, 1, 2],
      ],
      [
        [1, 2, 2, 3],
        [4, 3, 2, 1],
      ],
      [
        [5, 5, 5],
        [1, 2, 3],
      ],
      [sample(9, 1), sample(9, 1)],
      [
        [0.3, 0.1, 0.1, 0.7, 0.2],
        [2, 2, 1, 3, 3],
      ],
    ];
    const want = reference({ spearman }).spearman;
    spearman.forEach(([x, y], i) => {
      const got = spearmanRho(x!, y!);
      if (want[i] === null) expect(got).toBeNull();
      else expect(got!).toBeCloseTo(want[i]!, 12);
    });
    expect(averageRanks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
  });

  it("the smallest p-value a rank correlation of n points can reach (exact permutations)", () => {
    const n = [1, 2, 3, 4, 5, 6];
    const want = reference({ min_p: n.slice(1) }).min_p;
    for (const [i, k] of n.slice(1).entries()) expect(spearmanMinPValue(k)).toBeCloseTo(want[i]!, 14);
    expect(spearmanMinPValue(1)).toBe(1);
  });

  it("t quantiles for large df approach the normal 1.959964", () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 4);
  });
});
