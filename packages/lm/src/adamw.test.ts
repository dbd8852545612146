import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SeededRandom } from "@cftkit/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { AdamW, clipGradientsByGlobalNorm } from "./adamw.js";
import { ensureTfBackend } from "./tf-backend.js";

const script = fileURLToPath(new URL("../../../tools/reference/adamw.py", import.meta.url));

function randomArray(rng: SeededRandom, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => rng.normal() * scale);
}

describe("AdamW", () => {
  beforeAll(async () => {
    await ensureTfBackend();
  });

  it("matches torch AdamW + clip_grad_norm_ semantics (independent numpy reference)", () => {
    const rng = new SeededRandom(7);
    const shapes: Record<string, number[]> = { "a.weight": [3, 4], "a.bias": [4], "model.norm.weight": [5] };
    const init: Record<string, number[]> = {};
    for (const [k, s] of Object.entries(shapes))
      init[k] = randomArray(
        rng,
        s.reduce((x, y) => x * y, 1),
      );
    const steps = 6;
    const grads: Record<string, number[]>[] = [];
    const lrs: number[] = [];
    for (let t = 0; t < steps; t++) {
      const g: Record<string, number[]> = {};
      for (const [k, s] of Object.entries(shapes))
        g[k] = randomArray(
          rng,
          s.reduce((x, y) => x * y, 1),
          t % 2 ? 3 : 0.1,
        );
      grads.push(g);
      lrs.push(0.01 * (t + 1));
    }
    const wd = 0.1;
    const maxNorm = 1.0;
    const variables = new Map<string, tf.Variable>();
    for (const [k, s] of Object.entries(shapes)) variables.set(k, tf.variable(tf.tensor(init[k]!, s)));
    const opt = new AdamW(variables, { weightDecay: wd });
    const before = tf.memory().numTensors;
    const norms: number[] = [];
    for (let t = 0; t < steps; t++) {
      const gmap = new Map<string, tf.Tensor>();
      for (const [k, s] of Object.entries(shapes)) gmap.set(k, tf.tensor(grads[t]![k]!, s));
      const clipped = clipGradientsByGlobalNorm(gmap, maxNorm);
      norms.push(clipped.norm);
      opt.step(clipped.grads, lrs[t]!);
      for (const g of clipped.grads.values()) g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    const expected = JSON.parse(
      execFileSync("python3", [script], {
        input: JSON.stringify({ params: init, grads, lrs, wd, decay: ["a.weight"], max_norm: maxNorm }),
        encoding: "utf8",
      }),
    ) as { params: Record<string, number[]>; norms: number[] };
    for (const [k, v] of variables) {
      const got = v.dataSync();
      expected.params[k]!.forEach((e, i) => {
        expect(Math.abs(got[i]! - e)).toBeLessThan(1e-5 * (1 + Math.abs(e)));
      });
    }
    norms.forEach((n, i) => {
      expect(Math.abs(n - expected.norms[i]!)).toBeLessThan(1e-5 * expected.norms[i]!);
    });
    // state round trip is bit-exact
    const state = opt.getState();
    const opt2 = new AdamW(variables, { weightDecay: wd });
    opt2.setState(state);
    const s2 = opt2.getState();
    expect(s2.step).toBe(steps);
    for (const k of variables.keys())
      expect(Array.from(s2.expAvgSq.get(k)!)).toEqual(Array.from(state.expAvgSq.get(k)!));
    opt.dispose();
    opt2.dispose();
    for (const v of variables.values()) v.dispose();
  });
});
