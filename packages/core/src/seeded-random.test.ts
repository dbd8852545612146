import { describe, expect, it } from "vitest";
import { SeededRandom } from "./seeded-random.js";

describe("SeededRandom", () => {
  it("reproduces the same stream for the same seed and differs across seeds", () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it("draws uniform floats in [0,1) with the expected mean and normals with unit variance", () => {
    const r = new SeededRandom(7);
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
      const z = r.normal();
      sq += z * z;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n).toBeCloseTo(1, 1);
  });

  it("samples distinct items and shuffles into a permutation", () => {
    const r = new SeededRandom(1);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const picked = r.sample(items, 30);
    expect(new Set(picked).size).toBe(30);
    expect(r.shuffle(items.slice()).sort((x, y) => x - y)).toEqual(items);
  });
});
