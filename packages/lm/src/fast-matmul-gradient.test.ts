import { SeededRandom } from "@cftkit/core";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { registerFastMatMulGradient } from "./fast-matmul-gradient.js";
import { ensureTfBackend } from "./tf-backend.js";

/** f(a, b) = Σ w ⊙ matMul(a, b, tA, tB) is linear in a (and in b), so the derivative along e_ij is f(a + e_ij) − f(a). */
function numericGrad(f: (x: Float32Array) => number, x: Float32Array): Float64Array {
  const g = new Float64Array(x.length);
  const base = f(x);
  for (let i = 0; i < x.length; i++) {
    const y = x.slice();
    y[i]! += 1;
    g[i] = f(y) - base;
  }
  return g;
}

describe("registerFastMatMulGradient", () => {
  beforeAll(async () => {
    await ensureTfBackend();
    registerFastMatMulGradient();
  });

  for (const [tA, tB] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`gives the exact matmul gradient (transposeA=${tA}, transposeB=${tB}, batched)`, () => {
      const rng = new SeededRandom(Number(tA) * 2 + Number(tB));
      const [bt, m, k, n] = [2, 3, 4, 5];
      const aShape = tA ? [bt, k, m] : [bt, m, k];
      const bShape = tB ? [bt, n, k] : [bt, k, n];
      const rand = (len: number) =>
        Float32Array.from({ length: len }, () => Math.round(rng.normal() * 8) / 8);
      const aData = rand(bt * m * k);
      const bData = rand(bt * k * n);
      const w = tf.tensor(rand(bt * m * n), [bt, m, n]);
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b, tA, tB), w));
      const [ga, gb] = tf.grads(f)([tf.tensor(aData, aShape), tf.tensor(bData, bShape)]);
      const value = (ad: Float32Array, bd: Float32Array) =>
        tf.tidy(() => f(tf.tensor(ad, aShape), tf.tensor(bd, bShape)).dataSync()[0]!);
      const expectA = numericGrad((x) => value(x, bData), aData);
      const expectB = numericGrad((x) => value(aData, x), bData);
      const gotA = ga!.dataSync();
      const gotB = gb!.dataSync();
      expectA.forEach((e, i) => {
        expect(Math.abs(gotA[i]! - e)).toBeLessThan(1e-3);
      });
      expectB.forEach((e, i) => {
        expect(Math.abs(gotB[i]! - e)).toBeLessThan(1e-3);
      });
    });
  }
});
