import * as tf from "@tensorflow/tfjs-core";

/**
 * tfjs' own BatchMatMul gradient multiplies with `transposeA`/`transposeB` set; on the wasm backend those
 * matmul paths are 8-16× slower than a plain matmul (measured here: 0.16-0.3 vs 2.7 GFLOP/s at
 * 1024×256×688). This registers the same gradient (same math: dA = dY·Bᵀ, dB = Aᵀ·dY and the transposed
 * variants) written with explicit transposes of the last two axes followed by plain matmuls. It replaces the
 * process-wide registration once; results are identical up to float summation order.
 */
let registered = false;

function t(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

function mm(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  return tf.matMul(transposeA ? t(a) : a, transposeB ? t(b) : b);
}

export function registerFastMatMulGradient(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs?: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor;
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
      if (!transposeA && !transposeB)
        return { a: () => mm(g, b, false, true), b: () => mm(a, g, true, false) };
      if (!transposeA && transposeB)
        return { a: () => mm(g, b, false, false), b: () => mm(g, a, true, false) };
      if (transposeA && !transposeB)
        return { a: () => mm(b, g, false, true), b: () => mm(a, g, false, false) };
      return { a: () => mm(b, g, true, true), b: () => mm(g, a, true, true) };
    },
  });
}
