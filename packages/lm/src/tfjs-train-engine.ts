/**
 * The earlier training engine: tfjs autograd over the shared Llama graph on the wasm backend, AdamW over
 * tf.Variables. Kept selectable (`engine: "tfjs"`) to compare the ort engine against.
 */
import { CftkitError, type SeededRandom } from "@cftkit/core";
import type { TensorToWrite } from "@cftkit/safetensors";
import * as tf from "@tensorflow/tfjs-core";
import { AdamW, clipGradientsByGlobalNorm } from "./adamw.js";
import { registerFastMatMulGradient } from "./fast-matmul-gradient.js";
import { type ParamStore, llamaForward } from "./llama-graph.js";
import { LoraAdapters } from "./lora.js";
import type { ModelConfig } from "./model-config.js";
import { ensureTfBackend } from "./tf-backend.js";
import type { TrainEngine } from "./train-engine.js";
import { type TrainEngineSetup, badCheckpointTensor, trainableBaseNames } from "./train-engine-setup.js";
import { IGNORE_INDEX, type PaddedBatch } from "./training-batch.js";

/** Sum over unmasked positions of the next-token negative log-likelihood (HF causal-LM shift). */
export function causalLmLossSum(logits: tf.Tensor3D, labels: number[][]): tf.Scalar {
  const [b, s, v] = logits.shape;
  const targets = new Int32Array(b * s);
  const weights = new Float32Array(b * s);
  for (let r = 0; r < b; r++) {
    for (let t = 0; t + 1 < s; t++) {
      const label = labels[r]![t + 1]!;
      if (label === IGNORE_INDEX) continue;
      if (!(label >= 0 && label < v)) {
        throw new CftkitError("LM_BAD_LABEL", `label id ${label} is outside the vocabulary (0..${v - 1})`, {
          details: { label, vocabSize: v },
        });
      }
      targets[r * s + t] = label;
      weights[r * s + t] = 1;
    }
  }
  return tf.tidy(() => {
    const flat = tf.reshape(logits, [b * s, v]) as tf.Tensor2D;
    const logp = tf.logSoftmax(flat);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, "int32"), v)), 1);
    return tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(weights)))) as tf.Scalar;
  });
}

class MapParamStore implements ParamStore {
  constructor(
    private readonly base: ReadonlyMap<string, tf.Tensor>,
    private readonly config: ModelConfig,
  ) {}
  get(name: string): tf.Tensor {
    const t =
      this.base.get(name) ??
      (name === "lm_head.weight" && this.config.tieWordEmbeddings
        ? this.base.get("model.embed_tokens.weight")
        : undefined);
    if (!t)
      throw new CftkitError("LM_MISSING_PARAMETER", `the model has no parameter "${name}"`, {
        details: { name },
      });
    return t;
  }
}

export async function createTfjsTrainEngine(setup: TrainEngineSetup): Promise<TrainEngine> {
  await ensureTfBackend();
  registerFastMatMulGradient();
  const { config } = setup;
  const trainableNames = trainableBaseNames(setup);
  const paramTensors = new Map<string, tf.Tensor>();
  const trainable = new Map<string, tf.Variable>();
  for (const w of setup.weights) {
    if (trainableNames.has(w.name)) {
      const v = tf.variable(tf.tensor(w.data, w.shape, "float32"), true);
      trainable.set(w.name, v);
      paramTensors.set(w.name, v);
    } else paramTensors.set(w.name, tf.tensor(w.data, w.shape, "float32"));
  }
  let lora: LoraAdapters | null = null;
  if (setup.lora) {
    const shapes = new Map(setup.weights.map((w) => [w.name, w.shape]));
    lora = LoraAdapters.init(shapes, setup.lora, setup.seed);
    for (const [n, v] of lora.variables()) trainable.set(n, v);
  }
  const optimizer = new AdamW(trainable, { weightDecay: setup.weightDecay });
  const baseStore = new MapParamStore(paramTensors, config);
  const storeFor = (dropoutRng?: SeededRandom): ParamStore =>
    lora ? lora.wrap(baseStore, dropoutRng) : baseStore;
  const varList = [...trainable.values()];
  let acc = new Map<string, tf.Tensor>();
  const toWrite = (
    name: string,
    t: tf.Tensor,
    dtype: "F32" | "BF16",
    data?: Float32Array,
  ): TensorToWrite => ({
    name,
    dtype,
    shape: t.shape.slice(),
    data: data ?? (t.dataSync() as Float32Array),
  });

  return {
    trainableParameters: varList.reduce((s, t) => s + t.size, 0),
    totalParameters: setup.weights.reduce((s, w) => s + w.data.length, 0),
    async accumulate(batch: PaddedBatch, lossTokens: number, dropoutRng: SeededRandom): Promise<number> {
      const { value, grads } = tf.variableGrads(() => {
        const logits = llamaForward(config, storeFor(dropoutRng), batch.inputIds).logits;
        return tf.div(causalLmLossSum(logits, batch.labels), tf.scalar(lossTokens)) as tf.Scalar;
      }, varList);
      const loss = (value.dataSync() as Float32Array)[0]!;
      value.dispose();
      for (const [name, variable] of trainable) {
        const g = grads[variable.name];
        if (!g) continue; // not connected to the loss (e.g. a tied or unused tensor): no update
        const prev = acc.get(name);
        if (prev) {
          acc.set(name, tf.add(prev, g));
          prev.dispose();
          g.dispose();
        } else acc.set(name, g);
      }
      return loss;
    },
    update(maxGradNorm: number, lr: number): number {
      const clipped = clipGradientsByGlobalNorm(acc, maxGradNorm);
      optimizer.step(clipped.grads, lr);
      for (const g of clipped.grads.values()) g.dispose();
      acc = new Map();
      return clipped.norm;
    },
    async evalLossSum(batch: PaddedBatch): Promise<number> {
      const loss = tf.tidy(() =>
        causalLmLossSum(llamaForward(config, storeFor(), batch.inputIds).logits, batch.labels),
      );
      const value = (loss.dataSync() as Float32Array)[0]!;
      loss.dispose();
      return value;
    },
    checkpointTensors: () =>
      lora ? lora.toTensors() : [...paramTensors].map(([n, t]) => toWrite(n, t, "F32")),
    loadTrainable(tensors, where) {
      for (const [name, v] of trainable) {
        const data = tensors.get(name);
        if (!data || data.length !== v.size) throw badCheckpointTensor(where, name);
        tf.tidy(() => v.assign(tf.tensor(data, v.shape, "float32")));
      }
    },
    optimizerState: () => ({
      state: optimizer.getState(),
      shapes: new Map([...trainable].map(([n, v]) => [n, v.shape])),
    }),
    setOptimizerState: (state) => optimizer.setState(state),
    get optimizerStep() {
      return optimizer.stepCount;
    },
    modelTensors(dtype) {
      const merged = lora?.mergedWeights(paramTensors);
      return [...paramTensors].map(([n, t]) => toWrite(n, t, dtype, merged?.get(n)));
    },
    adapters: (baseModel) =>
      lora ? { tensors: lora.toTensors(), config: lora.adapterConfig(baseModel) } : null,
    async dispose() {
      optimizer.dispose();
      for (const g of acc.values()) g.dispose();
      for (const t of paramTensors.values()) t.dispose();
      lora?.dispose();
    },
  };
}
