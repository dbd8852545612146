/**
 * The default training engine: each micro-batch's forward and backward run as one generated onnxruntime
 * graph (`llama-train-graph.ts`); gradients are summed and AdamW applied in fused loops over Float32Arrays.
 * Memory is the weights, two AdamW moments, one gradient sum and the graph's activations for one
 * micro-batch (native memory that grows with micro-batch × sequence length, no wasm heap limit).
 */
import { CftkitError, type SeededRandom } from "@cftkit/core";
import type { TensorToWrite } from "@cftkit/safetensors";
import type { AdamWState } from "./adamw.js";
import { FusedAdamW, clipFactor, globalGradNorm } from "./fused-adamw.js";
import { loraInputNames } from "./llama-train-graph.js";
import {
  loraDropoutMask,
  loraInitialA,
  loraTargetModules,
  peftAdapterConfig,
  peftName,
  validateLoraOptions,
} from "./lora.js";
import { type ExtraInputs, OrtTrainStep } from "./ort-train-step.js";
import type { TrainEngine } from "./train-engine.js";
import { type TrainEngineSetup, badCheckpointTensor, trainableBaseNames } from "./train-engine-setup.js";
import type { PaddedBatch } from "./training-batch.js";

interface LoraState {
  modules: string[];
  r: number;
  scaling: number;
  dropout: number;
  /** PEFT name → data (A [r, in], B [out, r]). */
  tensors: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
}

function initLora(setup: TrainEngineSetup): LoraState | null {
  const options = setup.lora;
  if (!options) return null;
  validateLoraOptions(options);
  const shapes = new Map(setup.weights.map((w) => [w.name, w.shape]));
  const modules = loraTargetModules([...shapes.keys()], options.targetModules);
  if (modules.length === 0) {
    throw new CftkitError(
      "LM_LORA_NO_TARGETS",
      `LoRA target modules ${JSON.stringify(options.targetModules)} match no linear layer of the model`,
      { details: { targetModules: options.targetModules } },
    );
  }
  const initialA = loraInitialA(shapes, modules, options.r, setup.seed);
  const state: LoraState = {
    modules,
    r: options.r,
    scaling: options.alpha / options.r,
    dropout: options.dropout,
    tensors: new Map(),
    shapes: new Map(),
  };
  modules.forEach((module, i) => {
    const [out, inF] = shapes.get(`${module}.weight`)! as [number, number];
    state.tensors.set(peftName(module, "A"), initialA[i]!);
    state.shapes.set(peftName(module, "A"), [options.r, inF]);
    state.tensors.set(peftName(module, "B"), new Float32Array(out * options.r));
    state.shapes.set(peftName(module, "B"), [out, options.r]);
  });
  return state;
}

/** The graph's LoRA inputs for one run: A, B and a dropout mask per module (ones without `rng`). */
function loraInputs(lora: LoraState, rng?: SeededRandom): ExtraInputs {
  const out = new Map<string, { data: Float32Array; shape: readonly number[] }>();
  for (const module of lora.modules) {
    const n = loraInputNames(module);
    const aShape = lora.shapes.get(peftName(module, "A"))!;
    const inF = aShape[1]!;
    out.set(n.a, { data: lora.tensors.get(peftName(module, "A"))!, shape: aShape });
    out.set(n.b, {
      data: lora.tensors.get(peftName(module, "B"))!,
      shape: lora.shapes.get(peftName(module, "B"))!,
    });
    const mask =
      rng && lora.dropout > 0 ? loraDropoutMask(rng, inF, lora.dropout) : new Float32Array(inF).fill(1);
    out.set(n.mask, { data: mask, shape: [1, inF] });
  }
  return out;
}

/** W + scaling · B · A for one module (float64 sums, float32 result). */
function mergeAdapter(
  w: Float32Array,
  a: Float32Array,
  b: Float32Array,
  out: number,
  inF: number,
  r: number,
  scaling: number,
): Float32Array {
  const merged = new Float32Array(w.length);
  const row = new Float64Array(inF);
  for (let o = 0; o < out; o++) {
    row.fill(0);
    for (let k = 0; k < r; k++) {
      const bk = b[o * r + k]!;
      if (bk === 0) continue;
      const aOff = k * inF;
      for (let i = 0; i < inF; i++) row[i]! += bk * a[aOff + i]!;
    }
    for (let i = 0; i < inF; i++) merged[o * inF + i] = w[o * inF + i]! + scaling * row[i]!;
  }
  return merged;
}

export async function createOrtTrainEngine(setup: TrainEngineSetup): Promise<TrainEngine> {
  const { config } = setup;
  const trainableNames = trainableBaseNames(setup);
  const params = new Map(setup.weights.map((w) => [w.name, w.data]));
  const shapes = new Map(setup.weights.map((w) => [w.name, w.shape]));
  const lora = initLora(setup);
  // graph gradient name → the trainable tensor it updates
  const trainable = new Map<string, Float32Array>();
  const trainableShapes = new Map<string, number[]>();
  const fromGraph = new Map<string, string>();
  if (lora) {
    for (const [name, data] of lora.tensors) {
      trainable.set(name, data);
      trainableShapes.set(name, lora.shapes.get(name)!);
    }
    for (const m of lora.modules) {
      fromGraph.set(loraInputNames(m).a, peftName(m, "A"));
      fromGraph.set(loraInputNames(m).b, peftName(m, "B"));
    }
  } else {
    for (const name of trainableNames) {
      trainable.set(name, params.get(name)!);
      trainableShapes.set(name, shapes.get(name)!);
      fromGraph.set(name, name);
    }
  }
  const graphLora = lora ? { modules: lora.modules, r: lora.r, scaling: lora.scaling } : undefined;
  const step = await OrtTrainStep.create(config, {
    trainable: trainableNames,
    ...(graphLora ? { lora: graphLora } : {}),
  });
  let evalStep: OrtTrainStep | null = null;
  const optimizer = new FusedAdamW(trainable, { weightDecay: setup.weightDecay });
  const acc = new Map<string, Float32Array>();

  const engine: TrainEngine = {
    trainableParameters: [...trainable.values()].reduce((s, t) => s + t.length, 0),
    totalParameters: setup.weights.reduce((s, w) => s + w.data.length, 0),
    async accumulate(batch: PaddedBatch, lossTokens: number, dropoutRng: SeededRandom): Promise<number> {
      const extra = lora ? loraInputs(lora, dropoutRng) : new Map();
      const { loss, grads } = await step.run(batch, lossTokens, params, extra);
      for (const [graphName, g] of grads) {
        const name = fromGraph.get(graphName)!;
        const sum = acc.get(name);
        if (!sum) acc.set(name, g);
        else for (let i = 0; i < g.length; i++) sum[i]! += g[i]!;
      }
      return loss;
    },
    update(maxGradNorm: number, lr: number): number {
      const norm = globalGradNorm(acc.values());
      optimizer.step(acc, lr, clipFactor(norm, maxGradNorm));
      acc.clear();
      return norm;
    },
    async evalLossSum(batch: PaddedBatch): Promise<number> {
      evalStep ??= await OrtTrainStep.create(config, {
        trainable: new Set(),
        forwardOnly: true,
        ...(graphLora ? { lora: graphLora } : {}),
      });
      // weights of 1 per counted position give the plain sum
      const { loss } = await evalStep.run(batch, 1, params, lora ? loraInputs(lora) : new Map());
      return loss;
    },
    checkpointTensors(): TensorToWrite[] {
      const source = lora ? lora.tensors : params;
      const shapeOf = lora ? lora.shapes : shapes;
      return [...source].map(([name, data]) => ({ name, dtype: "F32", shape: shapeOf.get(name)!, data }));
    },
    loadTrainable(tensors, where) {
      for (const [name, target] of trainable) {
        const data = tensors.get(name);
        if (!data || data.length !== target.length) throw badCheckpointTensor(where, name);
        target.set(data);
      }
    },
    optimizerState: (): { state: AdamWState; shapes: Map<string, number[]> } => ({
      state: optimizer.getState(),
      shapes: trainableShapes,
    }),
    setOptimizerState: (state) => optimizer.setState(state),
    get optimizerStep() {
      return optimizer.stepCount;
    },
    modelTensors(dtype) {
      return setup.weights.map(({ name }) => {
        let data = params.get(name)!;
        const module = name.slice(0, -".weight".length);
        if (lora?.modules.includes(module)) {
          const [out, inF] = shapes.get(name)! as [number, number];
          const a = lora.tensors.get(peftName(module, "A"))!;
          const b = lora.tensors.get(peftName(module, "B"))!;
          data = mergeAdapter(data, a, b, out, inF, lora.r, lora.scaling);
        }
        return { name, dtype, shape: shapes.get(name)!, data };
      });
    },
    adapters: (baseModel) =>
      lora
        ? {
            tensors: engine.checkpointTensors(),
            config: peftAdapterConfig(setup.lora!, lora.modules, baseModel),
          }
        : null,
    async dispose() {
      await step.release();
      await evalStep?.release();
    },
  };
  return engine;
}
