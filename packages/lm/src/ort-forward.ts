/**
 * The fast inference path: the same Llama-family forward as `llamaForward`, expressed as one ONNX graph
 * (built in memory from the config) and run by onnxruntime-node with all cores. Weights are graph inputs,
 * so one session serves any batch/sequence size and parameter updates need no rebuild. Full-sequence
 * forwards only (no KV cache): `CausalLM.forward`, `logLikelihood` and `meanHiddenStates` use it; training
 * and cached generation use the tfjs graph. Conformance is tested against the same numpy reference.
 */
import { availableParallelism } from "node:os";
import type * as ortTypes from "onnxruntime-node";
import type { ModelConfig } from "./model-config.js";
import { parameterSpecs } from "./model-config.js";
import {
  type Ort,
  decoderLayerNodes,
  graphBuilder,
  layerRuntimeFeeds,
  layerRuntimeInputSpecs,
  loadOrt,
  rmsNormNodes,
} from "./onnx-decoder-layer.js";
import { ONNX_FLOAT, ONNX_INT64, type OnnxValueSpec, encodeOnnx } from "./onnx-encoder.js";

/** Build the ONNX graph for a config. Outputs: logits [B,S,V] and hidden_0..hidden_L [B,S,H]. */
export function buildLlamaOnnx(config: ModelConfig): Uint8Array {
  const graph = graphBuilder();
  const { nodes, add } = graph;
  const L = config.numHiddenLayers;
  let x = add("Gather", ["model.embed_tokens.weight", "input_ids"], "hidden_0", [{ name: "axis", i: 0 }]);
  for (let l = 0; l < L; l++)
    x = decoderLayerNodes(
      graph,
      config,
      x,
      `model.layers.${l}`,
      `l${l}`,
      l < L - 1 ? `hidden_${l + 1}` : "last_layer",
    );
  const normed = rmsNormNodes(add, x, "model.norm.weight", "final");
  nodes.push({ op: "Identity", inputs: [normed], outputs: [`hidden_${L}`] });
  const headName = config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
  const logits2d = add("Gemm", [add("Reshape", [normed, "s_2d"], "final_2d"), headName], "logits_2d", [
    { name: "transB", i: 1 },
  ]);
  add("Reshape", [logits2d, "s_logits"], "logits");

  const inputs: OnnxValueSpec[] = [
    { name: "input_ids", type: ONNX_INT64, shape: ["B", "S"] },
    ...layerRuntimeInputSpecs(config),
    { name: "s_logits", type: ONNX_INT64, shape: ["r"] },
    ...parameterSpecs(config).map(
      (s) => ({ name: s.name, type: ONNX_FLOAT, shape: s.shape }) as OnnxValueSpec,
    ),
  ];
  const outputs: OnnxValueSpec[] = [
    { name: "logits", type: ONNX_FLOAT, shape: ["B", "S", config.vocabSize] },
    ...Array.from(
      { length: L + 1 },
      (_, i) =>
        ({ name: `hidden_${i}`, type: ONNX_FLOAT, shape: ["B", "S", config.hiddenSize] }) as OnnxValueSpec,
    ),
  ];
  return encodeOnnx({ name: "llama_forward", nodes, inputs, outputs });
}

/** A compiled ONNX forward for one config; weights are fed on every run from `weights()`. */
export class OrtLlamaForward {
  private constructor(
    private readonly ort: Ort,
    private readonly session: ortTypes.InferenceSession,
    private readonly config: ModelConfig,
  ) {}

  static async create(config: ModelConfig, threads = availableParallelism()): Promise<OrtLlamaForward> {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(buildLlamaOnnx(config), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    return new OrtLlamaForward(ort, session, config);
  }

  /**
   * Full-sequence forward of equal-length rows (positions 0..S-1 unless given), with an optional padding
   * mask. Returns logits [B*S*V] and, when asked, hidden states [layer][B*S*H].
   */
  async run(
    ids: number[][],
    weights: Map<string, Float32Array>,
    opts: { attentionMask?: number[][]; positionIds?: number[][]; hiddenStates?: boolean } = {},
  ): Promise<{ logits: Float32Array; hiddenStates?: Float32Array[] }> {
    const { ort, config } = this;
    const B = ids.length;
    const S = ids[0]!.length;
    const positions = opts.positionIds ?? ids.map(() => Array.from({ length: S }, (_, i) => i));
    const feeds: Record<string, ortTypes.Tensor> = {
      ...layerRuntimeFeeds(ort, config, positions, opts.attentionMask),
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.flat().map((v) => BigInt(v))), [B, S]),
      s_logits: new ort.Tensor("int64", BigInt64Array.from([B, S, config.vocabSize].map(BigInt)), [3]),
    };
    for (const spec of parameterSpecs(config))
      feeds[spec.name] = new ort.Tensor("float32", weights.get(spec.name)!, spec.shape);
    const fetches = ["logits"];
    if (opts.hiddenStates) for (let i = 0; i <= config.numHiddenLayers; i++) fetches.push(`hidden_${i}`);
    const out = await this.session.run(feeds, fetches);
    const result: { logits: Float32Array; hiddenStates?: Float32Array[] } = {
      logits: out.logits!.data as Float32Array,
    };
    if (opts.hiddenStates) result.hiddenStates = fetches.slice(1).map((n) => out[n]!.data as Float32Array);
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
