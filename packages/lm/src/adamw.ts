import { CftkitError } from "@cftkit/core";
import * as tf from "@tensorflow/tfjs-core";

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (PyTorch AdamW: `p -= lr * wd * p` before the Adam update). */
  weightDecay?: number;
  /**
   * Which parameters get weight decay. Default: like the Hugging Face Trainer, every parameter except
   * biases and normalisation weights (names containing `bias` or `norm`).
   */
  decay?: (name: string) => boolean;
}

/** Serializable optimizer state (first and second moments per parameter, and the step count). */
export interface AdamWState {
  step: number;
  expAvg: Map<string, Float32Array>;
  expAvgSq: Map<string, Float32Array>;
}

export const defaultDecayPredicate = (name: string): boolean => !/bias|norm/i.test(name);

/**
 * AdamW over tf.Variables with PyTorch's `torch.optim.AdamW` semantics (the `adamw_torch` optimizer
 * Axolotl uses): for step t = 1, 2, …
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε).
 * Written over variables directly because tf.train.adam has no decoupled weight decay.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decay: (name: string) => boolean;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decay = options.decay ?? defaultDecayPredicate;
    for (const [name, p] of params) {
      this.m.set(name, zerosVariable(p));
      this.v.set(name, zerosVariable(p));
    }
  }

  /** Number of updates done so far. */
  get stepCount(): number {
    return this.t;
  }

  /** One update with learning rate `lr`; `grads` maps parameter names to gradients (missing = zero grad skipped). */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const t = this.t;
    const { beta1, beta2, eps } = this;
    const bc1 = 1 - beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const stepSize = lr / bc1;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        let param: tf.Tensor = p;
        if (this.weightDecay !== 0 && this.decay(name))
          param = tf.mul(param, tf.scalar(1 - lr * this.weightDecay));
        const mNew = tf.add(tf.mul(m, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1)));
        const vNew = tf.add(tf.mul(v, tf.scalar(beta2)), tf.mul(tf.square(g), tf.scalar(1 - beta2)));
        const denom = tf.add(tf.div(tf.sqrt(vNew), tf.scalar(bc2Sqrt)), tf.scalar(eps));
        const pNew = tf.sub(param, tf.mul(tf.div(mNew, denom), tf.scalar(stepSize)));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(pNew);
      });
    }
  }

  /** A copy of the state (for checkpoints). */
  getState(): AdamWState {
    const expAvg = new Map<string, Float32Array>();
    const expAvgSq = new Map<string, Float32Array>();
    for (const name of this.params.keys()) {
      expAvg.set(name, this.m.get(name)!.dataSync() as Float32Array);
      expAvgSq.set(name, this.v.get(name)!.dataSync() as Float32Array);
    }
    return { step: this.t, expAvg, expAvgSq };
  }

  /** Restore a state written by {@link getState} (bit-exact). */
  setState(state: AdamWState): void {
    for (const [name, p] of this.params) {
      const m = state.expAvg.get(name);
      const v = state.expAvgSq.get(name);
      if (!m || !v || m.length !== p.size || v.length !== p.size) {
        throw new CftkitError(
          "LM_BAD_OPTIMIZER_STATE",
          `optimizer state for parameter "${name}" is missing or has the wrong size`,
          {
            details: { name, expected: p.size, got: m?.length ?? null },
          },
        );
      }
      tf.tidy(() => {
        this.m.get(name)!.assign(tf.tensor(m, p.shape, "float32"));
        this.v.get(name)!.assign(tf.tensor(v, p.shape, "float32"));
      });
    }
    this.t = state.step;
  }

  dispose(): void {
    for (const x of this.m.values()) x.dispose();
    for (const x of this.v.values()) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Clip gradients by their global L2 norm like `torch.nn.utils.clip_grad_norm_`: the total norm over all
 * gradients is computed; if `maxNorm / (norm + 1e-6) < 1` every gradient is scaled by that factor.
 * Returns the (pre-clip) norm and new gradient tensors (the inputs are disposed when replaced).
 */
export function clipGradientsByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { norm: number; grads: Map<string, tf.Tensor> } {
  if (grads.size === 0) return { norm: 0, grads };
  const normTensor = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))));
  const norm = (normTensor.dataSync() as Float32Array)[0]!;
  normTensor.dispose();
  if (!(maxNorm > 0) || !Number.isFinite(norm)) return { norm, grads };
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { norm, grads };
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(
      name,
      tf.tidy(() => tf.mul(g, tf.scalar(coef))),
    );
    g.dispose();
  }
  return { norm, grads: out };
}

function zerosVariable(like: tf.Tensor): tf.Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}
