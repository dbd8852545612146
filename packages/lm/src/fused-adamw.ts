import { CftkitError } from "@cftkit/core";
import { type AdamWOptions, type AdamWState, defaultDecayPredicate } from "./adamw.js";

/**
 * AdamW over plain Float32Arrays, one fused loop per parameter (no temporaries): the same update as
 * {@link AdamW} (PyTorch `torch.optim.AdamW`):
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε),
 * with the gradient-clipping factor applied to g on the fly. Parameters are updated in place.
 */
export class FusedAdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decay: (name: string) => boolean;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;

  constructor(
    readonly params: ReadonlyMap<string, Float32Array>,
    options: AdamWOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.decay = options.decay ?? defaultDecayPredicate;
    for (const [name, p] of params) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  get stepCount(): number {
    return this.t;
  }

  /** One update with learning rate `lr`; every gradient is multiplied by `gradScale` first (clipping). */
  step(grads: ReadonlyMap<string, Float32Array>, lr: number, gradScale = 1): void {
    this.t += 1;
    const { beta1, beta2, eps } = this;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.t);
    const stepSize = lr / (1 - beta1 ** this.t);
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const keep = this.weightDecay !== 0 && this.decay(name) ? 1 - lr * this.weightDecay : 1;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]! * gradScale;
        const mi = beta1 * m[i]! + (1 - beta1) * gi;
        const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! * keep - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
      }
    }
  }

  getState(): AdamWState {
    const copy = (src: Map<string, Float32Array>) => new Map([...src].map(([n, a]) => [n, a.slice()]));
    return { step: this.t, expAvg: copy(this.m), expAvgSq: copy(this.v) };
  }

  /** Restore a state written by {@link getState} or by the tfjs AdamW (same layout; bit-exact). */
  setState(state: AdamWState): void {
    for (const [name, p] of this.params) {
      const m = state.expAvg.get(name);
      const v = state.expAvgSq.get(name);
      if (!m || !v || m.length !== p.length || v.length !== p.length) {
        throw new CftkitError(
          "LM_BAD_OPTIMIZER_STATE",
          `optimizer state for parameter "${name}" is missing or has the wrong size`,
          { details: { name, expected: p.length, got: m?.length ?? null } },
        );
      }
      this.m.get(name)!.set(m);
      this.v.get(name)!.set(v);
    }
    this.t = state.step;
  }
}

/** Global L2 norm over all gradients (float64 accumulation), as `torch.nn.utils.clip_grad_norm_` reports. */
export function globalGradNorm(grads: Iterable<Float32Array>): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

/** The factor torch's clip_grad_norm_ multiplies gradients by (1 when no clipping happens). */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(norm)) return 1;
  const coef = maxNorm / (norm + 1e-6);
  return Math.min(coef, 1);
}
