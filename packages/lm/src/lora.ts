import { CftkitError, SeededRandom } from "@cftkit/core";
import { DECODER_LINEAR_MODULES, type TensorToWrite } from "@cftkit/safetensors";
import * as tf from "@tensorflow/tfjs-core";

/** LoRA hyper-parameters (PEFT / Axolotl names: lora_r, lora_alpha, lora_dropout, lora_target_modules). */
export interface LoraOptions {
  r: number;
  alpha: number;
  dropout: number;
  /**
   * Module names as PEFT matches them (a module is targeted when its name equals an entry or ends with
   * `.<entry>`), e.g. `["q_proj", "v_proj"]`; `["all-linear"]` targets every linear layer of the decoder
   * (q/k/v/o and gate/up/down projections, not lm_head), like Axolotl's `lora_target_linear: true`.
   */
  targetModules: string[];
}

/** The tfjs ParamStore the shared Llama graph reads its weights from (same shape as llama-graph's). */
export interface LoraParamStore {
  get(name: string): tf.Tensor;
}

/** The module names (without `.weight`) of `parameterNames` that LoRA targets. */
export function loraTargetModules(parameterNames: readonly string[], targets: readonly string[]): string[] {
  const modules: string[] = [];
  for (const name of parameterNames) {
    if (!name.endsWith(".weight")) continue;
    const module = name.slice(0, -".weight".length);
    if (!/^model\.layers\.\d+\./.test(module)) continue;
    const hit = targets.some((t) =>
      t === "all-linear"
        ? DECODER_LINEAR_MODULES.some((m) => module.endsWith(`.${m}`))
        : module === t || module.endsWith(`.${t}`),
    );
    if (hit) modules.push(module);
  }
  return modules;
}

/** PEFT's saved name of a LoRA matrix: `base_model.model.<module>.lora_A.weight`. */
export function peftName(module: string, which: "A" | "B"): string {
  return `base_model.model.${module}.lora_${which}.weight`;
}

interface Adapter {
  module: string;
  outFeatures: number;
  inFeatures: number;
  a: tf.Variable;
  b: tf.Variable;
}

/**
 * LoRA adapters over the linear weights of a Llama-family model. For a target weight W [out, in] the
 * effective weight is `W + (alpha / r) · B · A` with A [r, in] (PEFT's kaiming-uniform init with a = √5,
 * i.e. U(−1/√in, 1/√in)) and B [out, r] = 0, so training starts from the base model exactly. The adapter is
 * applied through a ParamStore wrapper (the shared graph is unchanged) and only A and B are variables.
 *
 * Dropout: PEFT drops elements of the LoRA input x per token; a ParamStore only sees weights, so here the
 * dropout mask is drawn per input feature (one mask per module and micro-batch, shared by its tokens) and
 * applied to A's columns with the usual 1/(1−p) scaling — the same expectation as PEFT's dropout, coarser noise.
 */
export class LoraAdapters {
  readonly scaling: number;
  private readonly adapters = new Map<string, Adapter>();

  private constructor(
    readonly options: LoraOptions,
    adapters: Adapter[],
  ) {
    this.scaling = options.alpha / options.r;
    for (const a of adapters) this.adapters.set(`${a.module}.weight`, a);
  }

  /** Fresh adapters for the targeted weights among `shapes` (name → [out, in]), seeded. */
  static init(
    shapes: ReadonlyMap<string, readonly number[]>,
    options: LoraOptions,
    seed: number,
  ): LoraAdapters {
    validateLoraOptions(options);
    const modules = loraTargetModules([...shapes.keys()], options.targetModules);
    if (modules.length === 0) {
      throw new CftkitError(
        "LM_LORA_NO_TARGETS",
        `LoRA target modules ${JSON.stringify(options.targetModules)} match no linear layer of the model`,
        { details: { targetModules: options.targetModules } },
      );
    }
    const init = loraInitialA(shapes, modules, options.r, seed);
    const adapters = modules.map((module, i) => {
      const [outFeatures, inFeatures] = shapes.get(`${module}.weight`)! as [number, number];
      return {
        module,
        outFeatures,
        inFeatures,
        a: tf.variable(tf.tensor2d(init[i]!, [options.r, inFeatures]), true),
        b: tf.variable(tf.zeros([outFeatures, options.r]), true),
      };
    });
    return new LoraAdapters(options, adapters);
  }

  /** Adapters with the given A/B values (PEFT names), e.g. loaded from a checkpoint. */
  static fromTensors(
    shapes: ReadonlyMap<string, readonly number[]>,
    options: LoraOptions,
    tensors: ReadonlyMap<string, Float32Array>,
  ): LoraAdapters {
    validateLoraOptions(options);
    const modules = loraTargetModules([...shapes.keys()], options.targetModules);
    const adapters = modules.map((module) => {
      const [outFeatures, inFeatures] = shapes.get(`${module}.weight`)! as [number, number];
      const a = tensors.get(peftName(module, "A"));
      const b = tensors.get(peftName(module, "B"));
      if (!a || !b || a.length !== options.r * inFeatures || b.length !== outFeatures * options.r) {
        throw new CftkitError(
          "LM_LORA_BAD_ADAPTER",
          `adapter tensors for ${module} are missing or have the wrong size`,
          {
            details: { module },
          },
        );
      }
      return {
        module,
        outFeatures,
        inFeatures,
        a: tf.variable(tf.tensor2d(a, [options.r, inFeatures]), true),
        b: tf.variable(tf.tensor2d(b, [outFeatures, options.r]), true),
      };
    });
    return new LoraAdapters(options, adapters);
  }

  /** The trainable variables, by PEFT name. */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const a of this.adapters.values()) {
      out.set(peftName(a.module, "A"), a.a);
      out.set(peftName(a.module, "B"), a.b);
    }
    return out;
  }

  /** The targeted base weight names (`<module>.weight`). */
  targetWeights(): string[] {
    return [...this.adapters.keys()];
  }

  /**
   * A ParamStore that returns `W + scaling · B · (A ⊙ mask)` for targeted weights and the base tensor
   * otherwise. `dropoutRng` (training only) draws the feature dropout masks; call inside the gradient function.
   */
  wrap(base: LoraParamStore, dropoutRng?: SeededRandom): LoraParamStore {
    const p = this.options.dropout;
    const cache = new Map<string, tf.Tensor>();
    return {
      get: (name: string): tf.Tensor => {
        const adapter = this.adapters.get(name);
        if (!adapter) return base.get(name);
        const cached = cache.get(name);
        if (cached && !cached.isDisposed) return cached;
        let a: tf.Tensor = adapter.a;
        if (dropoutRng && p > 0)
          a = tf.mul(
            a,
            tf.tensor2d(loraDropoutMask(dropoutRng, adapter.inFeatures, p), [1, adapter.inFeatures]),
          );
        const w = tf.add(base.get(name), tf.mul(tf.matMul(adapter.b, a), tf.scalar(this.scaling)));
        cache.set(name, w);
        return w;
      },
    };
  }

  /** Adapter tensors in PEFT layout (`adapter_model.safetensors`). */
  toTensors(): TensorToWrite[] {
    const out: TensorToWrite[] = [];
    for (const a of this.adapters.values()) {
      out.push({
        name: peftName(a.module, "A"),
        dtype: "F32",
        shape: [this.options.r, a.inFeatures],
        data: a.a.dataSync() as Float32Array,
      });
      out.push({
        name: peftName(a.module, "B"),
        dtype: "F32",
        shape: [a.outFeatures, this.options.r],
        data: a.b.dataSync() as Float32Array,
      });
    }
    return out;
  }

  /** Base weights with the adapters merged in (`W + scaling · B · A`), for targeted names only. */
  mergedWeights(base: ReadonlyMap<string, tf.Tensor>): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, a] of this.adapters) {
      const merged = tf.tidy(() =>
        tf.add(base.get(name)!, tf.mul(tf.matMul(a.b, a.a), tf.scalar(this.scaling))),
      );
      out.set(name, merged.dataSync() as Float32Array);
      merged.dispose();
    }
    return out;
  }

  /** PEFT's `adapter_config.json`. */
  adapterConfig(baseModelNameOrPath: string | null): Record<string, unknown> {
    return peftAdapterConfig(
      this.options,
      [...this.adapters.values()].map((a) => a.module),
      baseModelNameOrPath,
    );
  }

  dispose(): void {
    for (const a of this.adapters.values()) {
      a.a.dispose();
      a.b.dispose();
    }
    this.adapters.clear();
  }
}

/** PEFT's `adapter_config.json` for adapters on `modules`. */
export function peftAdapterConfig(
  options: LoraOptions,
  modules: readonly string[],
  baseModelNameOrPath: string | null,
): Record<string, unknown> {
  return {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModelNameOrPath,
    r: options.r,
    lora_alpha: options.alpha,
    lora_dropout: options.dropout,
    target_modules: [...new Set(modules.map((m) => m.split(".").at(-1)!))].sort(),
    bias: "none",
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
    revision: null,
  };
}

/**
 * PEFT's initial A of each module, in `modules` order: kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in),
 * drawn from one seeded stream (B starts at zero).
 */
export function loraInitialA(
  shapes: ReadonlyMap<string, readonly number[]>,
  modules: readonly string[],
  r: number,
  seed: number,
): Float32Array[] {
  const rng = new SeededRandom(seed).fork("lora-init");
  return modules.map((module) => {
    const inFeatures = shapes.get(`${module}.weight`)![1]!;
    const bound = 1 / Math.sqrt(inFeatures);
    const a = new Float32Array(r * inFeatures);
    for (let i = 0; i < a.length; i++) a[i] = (rng.next() * 2 - 1) * bound;
    return a;
  });
}

/** One LoRA dropout mask over a module's input features: 0 with probability p, else 1/(1−p). */
export function loraDropoutMask(rng: SeededRandom, inFeatures: number, p: number): Float32Array {
  const mask = new Float32Array(inFeatures);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : 1 / (1 - p);
  return mask;
}

export function validateLoraOptions(options: LoraOptions): void {
  const ok =
    Number.isInteger(options.r) &&
    options.r > 0 &&
    Number.isFinite(options.alpha) &&
    options.dropout >= 0 &&
    options.dropout < 1 &&
    Array.isArray(options.targetModules) &&
    options.targetModules.length > 0;
  if (!ok) {
    throw new CftkitError(
      "LM_BAD_LORA_OPTIONS",
      `LoRA options need an integer r > 0, a finite alpha, 0 ≤ dropout < 1 and at least one target module; got ${JSON.stringify(options)}`,
      { details: { ...options } },
    );
  }
}
