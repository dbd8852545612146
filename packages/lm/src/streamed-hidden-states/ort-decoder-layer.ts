/**
 * One decoder layer as an onnxruntime session: the same nodes as the whole-model graph (onnx-decoder-layer.ts),
 * with the layer's weights fed as inputs, so one session serves every layer of the model.
 */
import { availableParallelism } from "node:os";
import type * as ortTypes from "onnxruntime-node";
import type { ModelConfig } from "../model-config.js";
import {
  type Ort,
  decoderLayerNodes,
  graphBuilder,
  layerRuntimeFeeds,
  layerRuntimeInputSpecs,
  loadOrt,
} from "../onnx-decoder-layer.js";
import { ONNX_FLOAT, type OnnxValueSpec, encodeOnnx } from "../onnx-encoder.js";
import { layerParameterSpecs } from "./layer-weights.js";

const PREFIX = "layer";

/** HF suffix of a layer parameter ("self_attn.q_proj.weight") from its full name. */
function suffixOf(name: string): string {
  return name.replace(/^model\.layers\.\d+\./, "");
}

export function buildDecoderLayerOnnx(config: ModelConfig): Uint8Array {
  const graph = graphBuilder();
  decoderLayerNodes(graph, config, "x", PREFIX, "l", "y");
  const hidden: OnnxValueSpec = { name: "x", type: ONNX_FLOAT, shape: ["B", "S", config.hiddenSize] };
  const inputs: OnnxValueSpec[] = [
    hidden,
    ...layerRuntimeInputSpecs(config),
    ...layerParameterSpecs(config, 0).map(
      (s) => ({ name: `${PREFIX}.${suffixOf(s.name)}`, type: ONNX_FLOAT, shape: s.shape }) as OnnxValueSpec,
    ),
  ];
  const outputs: OnnxValueSpec[] = [{ ...hidden, name: "y" }];
  return encodeOnnx({ name: "llama_decoder_layer", nodes: graph.nodes, inputs, outputs });
}

export class OrtDecoderLayer {
  private constructor(
    private readonly ort: Ort,
    private readonly session: ortTypes.InferenceSession,
    private readonly config: ModelConfig,
  ) {}

  static async create(config: ModelConfig, threads = availableParallelism()): Promise<OrtDecoderLayer> {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(buildDecoderLayerOnnx(config), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    return new OrtDecoderLayer(ort, session, config);
  }

  /**
   * Push hidden states `x` [B, S, H] (rows right-padded; `attentionMask` marks the real tokens) through the
   * layer whose weights are `weights` (HF names). Positions are 0..S-1, as the in-memory engine uses.
   */
  async run(
    x: Float32Array,
    batch: number,
    seq: number,
    weights: Map<string, Float32Array>,
    attentionMask: number[][],
  ): Promise<Float32Array> {
    const { ort, config } = this;
    const positions = Array.from({ length: batch }, () => Array.from({ length: seq }, (_, i) => i));
    const feeds: Record<string, ortTypes.Tensor> = {
      ...layerRuntimeFeeds(ort, config, positions, attentionMask),
      x: new ort.Tensor("float32", x, [batch, seq, config.hiddenSize]),
    };
    for (const [name, data] of weights) {
      const spec = layerParameterSpecs(config, 0).find((s) => suffixOf(s.name) === suffixOf(name))!;
      feeds[`${PREFIX}.${suffixOf(name)}`] = new ort.Tensor("float32", data, spec.shape);
    }
    const out = await this.session.run(feeds, ["y"]);
    return out.y!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
