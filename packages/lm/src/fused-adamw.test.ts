import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SeededRandom } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { FusedAdamW, clipFactor, globalGradNorm } from "./fused-adamw.js";

const script = fileURLToPath(new URL("../../../tools/reference/adamw.py", import.meta.url));

describe("FusedAdamW (the ort engine's optimizer)", () => {
  it("matches torch AdamW + clip_grad_norm_ semantics (independent numpy reference), state round trip exact", () => {
    const rng = new SeededRandom(7);
    const sizes: Record<string, number> = { "a.weight": 12, "a.bias": 4, "model.norm.weight": 5 };
    const draw = (n: number, scale: number) => Array.from({ length: n }, () => rng.normal() * scale);
    const init = Object.fromEntries(Object.entries(sizes).map(([k, n]) => [k, draw(n, 1)]));
    const steps = 6;
    const grads = Array.from({ length: steps }, (_, t) =>
      Object.fromEntries(Object.entries(sizes).map(([k, n]) => [k, draw(n, t % 2 ? 3 : 0.1)])),
    );
    const lrs = grads.map((_, t) => 0.01 * (t + 1));
    const wd = 0.1;
    const maxNorm = 1;
    const params = new Map(Object.entries(init).map(([k, v]) => [k, Float32Array.from(v)]));
    const opt = new FusedAdamW(params, { weightDecay: wd });
    const norms: number[] = [];
    for (let t = 0; t < steps; t++) {
      const g = new Map(Object.entries(grads[t]!).map(([k, v]) => [k, Float32Array.from(v)]));
      const norm = globalGradNorm(g.values());
      norms.push(norm);
      opt.step(g, lrs[t]!, clipFactor(norm, maxNorm));
    }
    const expected = JSON.parse(
      execFileSync("python3", [script], {
        input: JSON.stringify({ params: init, grads, lrs, wd, decay: ["a.weight"], max_norm: maxNorm }),
        encoding: "utf8",
      }),
    ) as { params: Record<string, number[]>; norms: number[] };
    for (const [k, got] of params)
      expected.params[k]!.forEach((e, i) => {
        expect(Math.abs(got[i]! - e)).toBeLessThan(1e-5 * (1 + Math.abs(e)));
      });
    norms.forEach((n, i) => {
      expect(Math.abs(n - expected.norms[i]!)).toBeLessThan(1e-5 * expected.norms[i]!);
    });
    const copy = new Map([...params].map(([k, v]) => [k, v.slice()]));
    const opt2 = new FusedAdamW(copy, { weightDecay: wd });
    opt2.setState(opt.getState());
    expect(opt2.stepCount).toBe(steps);
    const g = new Map([...params].map(([k, v]) => [k, v.map((x) => x * 0.5)]));
    opt.step(g, 0.01);
    opt2.step(g, 0.01);
    for (const [k, v] of params) expect(Array.from(copy.get(k)!)).toEqual(Array.from(v));
  });
});
