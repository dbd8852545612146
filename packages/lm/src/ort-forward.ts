/**
 * The fast inference path: the same Llama-family forward as `llamaForward`, expressed as one ONNX graph
 * (built in memory from the config) and run by onnxruntime-node with all cores. Weights are graph inputs,
 * so one session serves any batch/sequence size and parameter updates need no rebuild. Full-sequence
 * forwards only (no KV cache): `CausalLM.forward`, `logLikelihood` and `meanHiddenStates` use it; training
 * and cached generation use the tfjs graph. Conformance is tested against the same numpy reference.
 */
import { availableParallelism } from "node:os";
import type * as ortTypes from "onnxruntime-node";
import { attentionMaskData, ropeTableData } from "./llama-graph.js";
import type { ModelConfig } from "./model-config.js";
import { parameterSpecs } from "./model-config.js";
import { ONNX_FLOAT, ONNX_INT64, type OnnxNodeSpec, type OnnxValueSpec, encodeOnnx } from "./onnx-encoder.js";

type Ort = typeof ortTypes;
let ortPromise: Promise<Ort> | null = null;
function loadOrt(): Promise<Ort> {
  ortPromise ??= import("onnxruntime-node") as Promise<Ort>;
  return ortPromise;
}

const SHAPE_INPUTS = [
  "s_2d",
  "s_bsh",
  "s_q",
  "s_kv",
  "s_qg",
  "s_scores",
  "s_probs",
  "s_ctx",
  "s_ctx2d",
  "s_logits",
] as const;

/** Build the ONNX graph for a config. Outputs: logits [B,S,V] and hidden_0..hidden_L [B,S,H]. */
export function buildLlamaOnnx(config: ModelConfig): Uint8Array {
  const nodes: OnnxNodeSpec[] = [];
  const L = config.numHiddenLayers;
  const add = (op: string, inputs: string[], output: string, attrs?: OnnxNodeSpec["attrs"]): string => {
    nodes.push({ op, inputs, outputs: [output], attrs });
    return output;
  };
  const gemm = (x: string, name: string, bias: boolean, out: string): string =>
    add("Gemm", bias ? [x, `${name}.weight`, `${name}.bias`] : [x, `${name}.weight`], out, [
      { name: "transB", i: 1 },
    ]);
  const rms = (x: string, w: string, p: string): string => {
    const sq = add("Mul", [x, x], `${p}_sq`);
    const ms = add("ReduceMean", [sq], `${p}_ms`, [
      { name: "axes", ints: [-1] },
      { name: "keepdims", i: 1 },
    ]);
    const rt = add("Sqrt", [add("Add", [ms, "eps"], `${p}_mse`)], `${p}_rt`);
    return add("Mul", [add("Div", [x, rt], `${p}_xn`), w], `${p}_out`);
  };
  const rope = (x: string, p: string): string => {
    nodes.push({
      op: "Split",
      inputs: [x, "half_split"],
      outputs: [`${p}_x1`, `${p}_x2`],
      attrs: [{ name: "axis", i: -1 }],
    });
    const rot = add("Concat", [add("Neg", [`${p}_x2`], `${p}_nx2`), `${p}_x1`], `${p}_rot`, [
      { name: "axis", i: -1 },
    ]);
    return add("Add", [add("Mul", [x, "cos"], `${p}_xc`), add("Mul", [rot, "sin"], `${p}_rs`)], `${p}_roped`);
  };
  let x = add("Gather", ["model.embed_tokens.weight", "input_ids"], "hidden_0", [{ name: "axis", i: 0 }]);
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    const t = `l${l}`;
    const xn = add("Reshape", [rms(x, `${p}.input_layernorm.weight`, `${t}_n1`), "s_2d"], `${t}_xn2d`);
    const heads = (proj: string, shape: string, tag: string) =>
      add(
        "Transpose",
        [
          add(
            "Reshape",
            [gemm(xn, `${p}.self_attn.${proj}`, config.qkvBias, `${t}_${tag}2d`), shape],
            `${t}_${tag}4`,
          ),
        ],
        `${t}_${tag}`,
        [{ name: "perm", ints: [0, 2, 1, 3] }],
      );
    const q = rope(heads("q_proj", "s_q", "q"), `${t}_q`);
    const k = rope(heads("k_proj", "s_kv", "k"), `${t}_k`);
    const v = heads("v_proj", "s_kv", "v");
    const qg = add("Reshape", [q, "s_qg"], `${t}_qg`);
    const kT = add("Transpose", [k], `${t}_kT`, [{ name: "perm", ints: [0, 1, 3, 2] }]);
    const scores = add("Mul", [add("MatMul", [qg, kT], `${t}_qk`), "scale"], `${t}_scaled`);
    const masked = add("Add", [add("Reshape", [scores, "s_scores"], `${t}_s4`), "mask"], `${t}_masked`);
    const probs = add(
      "Reshape",
      [add("Softmax", [masked], `${t}_sm`, [{ name: "axis", i: -1 }]), "s_probs"],
      `${t}_probs`,
    );
    const ctx = add("Reshape", [add("MatMul", [probs, v], `${t}_ctxg`), "s_ctx"], `${t}_ctx`);
    const ctx2d = add(
      "Reshape",
      [add("Transpose", [ctx], `${t}_ctxT`, [{ name: "perm", ints: [0, 2, 1, 3] }]), "s_ctx2d"],
      `${t}_ctx2d`,
    );
    const attn = add(
      "Reshape",
      [gemm(ctx2d, `${p}.self_attn.o_proj`, config.oBias, `${t}_o2d`), "s_bsh"],
      `${t}_o`,
    );
    x = add("Add", [x, attn], `${t}_res1`);
    const xn2 = add(
      "Reshape",
      [rms(x, `${p}.post_attention_layernorm.weight`, `${t}_n2`), "s_2d"],
      `${t}_xn2`,
    );
    const gate = gemm(xn2, `${p}.mlp.gate_proj`, config.mlpBias, `${t}_gate`);
    const up = gemm(xn2, `${p}.mlp.up_proj`, config.mlpBias, `${t}_up`);
    const act = add(
      "Mul",
      [add("Mul", [gate, add("Sigmoid", [gate], `${t}_sig`)], `${t}_silu`), up],
      `${t}_act`,
    );
    const down = add(
      "Reshape",
      [gemm(act, `${p}.mlp.down_proj`, config.mlpBias, `${t}_down2d`), "s_bsh"],
      `${t}_down`,
    );
    x = add("Add", [x, down], l < L - 1 ? `hidden_${l + 1}` : "last_layer");
  }
  const normed = rms(x, "model.norm.weight", "final");
  nodes.push({ op: "Identity", inputs: [normed], outputs: [`hidden_${L}`] });
  const headName = config.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
  const logits2d = add("Gemm", [add("Reshape", [normed, "s_2d"], "final_2d"), headName], "logits_2d", [
    { name: "transB", i: 1 },
  ]);
  add("Reshape", [logits2d, "s_logits"], "logits");

  const inputs: OnnxValueSpec[] = [
    { name: "input_ids", type: ONNX_INT64, shape: ["B", "S"] },
    { name: "cos", type: ONNX_FLOAT, shape: ["B", 1, "S", config.headDim] },
    { name: "sin", type: ONNX_FLOAT, shape: ["B", 1, "S", config.headDim] },
    { name: "mask", type: ONNX_FLOAT, shape: ["B", 1, "S", "S"] },
    { name: "eps", type: ONNX_FLOAT, shape: [1] },
    { name: "scale", type: ONNX_FLOAT, shape: [1] },
    { name: "half_split", type: ONNX_INT64, shape: [2] },
    ...SHAPE_INPUTS.map((name) => ({ name, type: ONNX_INT64, shape: ["r"] }) as OnnxValueSpec),
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
    const H = config.hiddenSize;
    const nh = config.numAttentionHeads;
    const kvh = config.numKeyValueHeads;
    const hd = config.headDim;
    const g = nh / kvh;
    const i64 = (values: number[]) =>
      new ort.Tensor("int64", BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
    const positions = opts.positionIds ?? ids.map(() => Array.from({ length: S }, (_, i) => i));
    const { cos, sin } = ropeTableData(config, positions);
    const feeds: Record<string, ortTypes.Tensor> = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.flat().map((v) => BigInt(v))), [B, S]),
      cos: new ort.Tensor("float32", cos, [B, 1, S, hd]),
      sin: new ort.Tensor("float32", sin, [B, 1, S, hd]),
      mask: new ort.Tensor("float32", attentionMaskData(config, B, S, 0, opts.attentionMask), [B, 1, S, S]),
      eps: new ort.Tensor("float32", Float32Array.from([config.rmsNormEps]), [1]),
      scale: new ort.Tensor("float32", Float32Array.from([1 / Math.sqrt(hd)]), [1]),
      half_split: i64([hd / 2, hd / 2]),
      s_2d: i64([B * S, H]),
      s_bsh: i64([B, S, H]),
      s_q: i64([B, S, nh, hd]),
      s_kv: i64([B, S, kvh, hd]),
      s_qg: i64([B, kvh, g * S, hd]),
      s_scores: i64([B, nh, S, S]),
      s_probs: i64([B, kvh, g * S, S]),
      s_ctx: i64([B, nh, S, hd]),
      s_ctx2d: i64([B * S, nh * hd]),
      s_logits: i64([B, S, config.vocabSize]),
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
