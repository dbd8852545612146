/**
 * Runs the generated training graph (`llama-train-graph.ts`) with onnxruntime-node on all cores: one
 * `session.run` per micro-batch returns the loss and every trainable tensor's gradient.
 */
import { availableParallelism } from "node:os";
import { CftkitError } from "@cftkit/core";
import type * as ortTypes from "onnxruntime-node";
import { attentionMaskData, ropeTableData } from "./llama-graph.js";
import {
  TRAIN_SHAPE_INPUTS,
  type TrainGraphOptions,
  buildLlamaTrainOnnx,
  gradName,
  trainGraphGradients,
} from "./llama-train-graph.js";
import { type ModelConfig, parameterSpecs } from "./model-config.js";
import { IGNORE_INDEX, type PaddedBatch } from "./training-batch.js";

type Ort = typeof ortTypes;

/** Extra float inputs of one run (LoRA A, B and dropout masks), by graph input name. */
export type ExtraInputs = ReadonlyMap<string, { data: Float32Array; shape: readonly number[] }>;

export class OrtTrainStep {
  /** Trainable tensors whose gradients `run` returns, in graph output order. */
  readonly gradients: readonly string[];

  private constructor(
    private readonly ort: Ort,
    private readonly session: ortTypes.InferenceSession,
    private readonly config: ModelConfig,
    opts: TrainGraphOptions,
  ) {
    this.gradients = trainGraphGradients(config, opts);
  }

  static async create(
    config: ModelConfig,
    opts: TrainGraphOptions,
    threads = Number(process.env.CFTKIT_ORT_THREADS) || availableParallelism(),
  ): Promise<OrtTrainStep> {
    const ort = (await import("onnxruntime-node")) as Ort;
    const session = await ort.InferenceSession.create(buildLlamaTrainOnnx(config, opts), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      // sequence lengths change from batch to batch: a shape-specific memory plan would not be reused
      enableMemPattern: false,
      // no busy-waiting between ops: on a shared machine spinning threads take cores the kernels need
      extra: { session: { intra_op: { allow_spinning: "0" } } },
      ...(process.env.CFTKIT_ORT_PROFILE
        ? { enableProfiling: true, profileFilePrefix: process.env.CFTKIT_ORT_PROFILE }
        : {}),
    });
    return new OrtTrainStep(ort, session, config, opts);
  }

  /**
   * Loss = Σ over counted positions of the next-token NLL, divided by `lossTokens` (the global batch's
   * count, so accumulated micro-batch gradients equal the big batch's); gradients of that loss.
   */
  async run(
    batch: PaddedBatch,
    lossTokens: number,
    params: ReadonlyMap<string, Float32Array>,
    extra: ExtraInputs = new Map(),
  ): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
    const feeds = this.feeds(batch, lossTokens, params, extra);
    const out = await this.session.run(feeds);
    const grads = new Map<string, Float32Array>();
    for (const name of this.gradients) grads.set(name, out[gradName(name)]!.data as Float32Array);
    return { loss: (out.loss!.data as Float32Array)[0]!, grads };
  }

  private feeds(
    batch: PaddedBatch,
    lossTokens: number,
    params: ReadonlyMap<string, Float32Array>,
    extra: ExtraInputs,
  ): Record<string, ortTypes.Tensor> {
    const { ort, config } = this;
    const B = batch.inputIds.length;
    const S = batch.inputIds[0]!.length;
    const N = B * S;
    const nh = config.numAttentionHeads;
    const kvh = config.numKeyValueHeads;
    const hd = config.headDim;
    const g = nh / kvh;
    const i64 = (values: readonly number[], shape = [values.length]) =>
      new ort.Tensor(
        "int64",
        BigInt64Array.from(values, (v) => BigInt(v)),
        shape,
      );
    const f32 = (values: Float32Array, shape: readonly number[]) => new ort.Tensor("float32", values, shape);
    const ids = batch.inputIds.flat();
    const targets = new Array<number>(N).fill(0);
    const weights = new Float32Array(N);
    const w = 1 / lossTokens;
    for (let r = 0; r < B; r++) {
      for (let t = 0; t + 1 < S; t++) {
        const label = batch.labels[r]![t + 1]!;
        if (label === IGNORE_INDEX) continue;
        if (!(Number.isInteger(label) && label >= 0 && label < config.vocabSize)) {
          throw new CftkitError(
            "LM_BAD_LABEL",
            `label id ${label} is outside the vocabulary (0..${config.vocabSize - 1})`,
            { details: { label, vocabSize: config.vocabSize } },
          );
        }
        targets[r * S + t] = label;
        weights[r * S + t] = w;
      }
    }
    const positions = batch.inputIds.map(() => Array.from({ length: S }, (_, i) => i));
    const { cos, sin } = ropeTableData(config, positions); // [B,1,S,hd] = [B,S,1,hd] in memory
    const feeds: Record<string, ortTypes.Tensor> = {
      ids: i64(ids),
      ids_col: i64(ids, [N, 1]),
      targets: i64(targets, [N, 1]),
      weights: f32(weights, [N, 1]),
      cos: f32(cos, [B, S, 1, hd]),
      sin: f32(sin, [B, S, 1, hd]),
      mask: f32(attentionMaskData(config, B, S, 0, undefined), [B, 1, S, S]),
      eps: f32(Float32Array.of(config.rmsNormEps), [1]),
      scale: f32(Float32Array.of(1 / Math.sqrt(hd)), [1]),
      one: f32(Float32Array.of(1), [1]),
      zero: f32(Float32Array.of(0), [1]),
      axis0: i64([0]),
      axism1: i64([-1]),
      half_split: i64([hd / 2, hd / 2]),
    };
    const shapes: Record<(typeof TRAIN_SHAPE_INPUTS)[number], number[]> = {
      s_q4: [B, S, nh, hd],
      s_kv4: [B, S, kvh, hd],
      s_qg: [B, kvh, g * S, hd],
      s_scores: [B, nh, S, S],
      s_probs: [B, kvh, g * S, S],
      s_nh4: [B, nh, S, hd],
      s_q2: [N, nh * hd],
      s_kv2: [N, kvh * hd],
    };
    for (const name of TRAIN_SHAPE_INPUTS) feeds[name] = i64(shapes[name]);
    for (const spec of parameterSpecs(config)) feeds[spec.name] = f32(params.get(spec.name)!, spec.shape);
    for (const [name, t] of extra) feeds[name] = f32(t.data, t.shape);
    return feeds;
  }

  async release(): Promise<void> {
    // CFTKIT_ORT_PROFILE=<prefix> writes onnxruntime's per-node timing (chrome trace JSON) here
    if (process.env.CFTKIT_ORT_PROFILE) this.session.endProfiling();
    await this.session.release();
  }
}
