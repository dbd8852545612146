import { SeededRandom } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { project } from "./projection.js";

/** Two well separated clusters in 16-D. */
function clusters(): number[][] {
  const rng = new SeededRandom(5);
  return Array.from({ length: 24 }, (_, i) =>
    Array.from({ length: 16 }, () => rng.normal() * 0.1 + (i < 12 ? 0 : 5)),
  );
}

describe("project", () => {
  it.each(["tsne", "umap"] as const)("%s is reproducible per seed and keeps clusters apart", (method) => {
    const rows = clusters();
    const a = project(rows, { method, seed: 1 });
    const b = project(rows, { method, seed: 1 });
    expect(a).toEqual(b);
    const centre = (pts: [number, number][]) => [
      pts.reduce((s, p) => s + p[0], 0) / pts.length,
      pts.reduce((s, p) => s + p[1], 0) / pts.length,
    ];
    const spread = (pts: [number, number][], c: number[]) =>
      Math.max(...pts.map((p) => Math.hypot(p[0] - c[0]!, p[1] - c[1]!)));
    const left = a.slice(0, 12);
    const right = a.slice(12);
    const cl = centre(left);
    const cr = centre(right);
    expect(Math.hypot(cl[0]! - cr[0]!, cl[1]! - cr[1]!)).toBeGreaterThan(
      Math.max(spread(left, cl), spread(right, cr)),
    );
  });
});
