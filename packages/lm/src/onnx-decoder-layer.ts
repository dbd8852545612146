/**
 * The ONNX nodes of one Llama-family decoder layer (RMSNorm → attention with RoPE and GQA → residual →
 * RMSNorm → SwiGLU MLP → residual), shared by the whole-model graph (`buildLlamaOnnx`) and the one-layer
 * graph the layer-streamed engine runs. Weights are graph inputs named `<prefix>.<HF suffix>`; the runtime
 * inputs (cos/sin tables, mask, eps, scale and the shape vectors) are shared by every layer.
 */
import type * as ortTypes from "onnxruntime-node";
import { attentionMaskData, ropeTableData } from "./llama-graph.js";
import type { ModelConfig } from "./model-config.js";
import { ONNX_FLOAT, ONNX_INT64, type OnnxNodeSpec, type OnnxValueSpec } from "./onnx-encoder.js";

export type Ort = typeof ortTypes;
let ortPromise: Promise<Ort> | null = null;
/** onnxruntime-node, loaded once per process on first use. */
export function loadOrt(): Promise<Ort> {
  ortPromise ??= import("onnxruntime-node") as Promise<Ort>;
  return ortPromise;
}

export const SHAPE_INPUTS = [
  "s_2d",
  "s_bsh",
  "s_q",
  "s_kv",
  "s_qg",
  "s_scores",
  "s_probs",
  "s_ctx",
  "s_ctx2d",
] as const;

/** Appends nodes to a graph; returns the output name. */
export type AddNode = (op: string, inputs: string[], output: string, attrs?: OnnxNodeSpec["attrs"]) => string;

/** A node list and its `add` helper. */
export function graphBuilder(): { nodes: OnnxNodeSpec[]; add: AddNode } {
  const nodes: OnnxNodeSpec[] = [];
  const add: AddNode = (op, inputs, output, attrs) => {
    nodes.push({ op, inputs, outputs: [output], attrs });
    return output;
  };
  return { nodes, add };
}

/** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · w. */
export function rmsNormNodes(add: AddNode, x: string, w: string, p: string): string {
  const sq = add("Mul", [x, x], `${p}_sq`);
  const ms = add("ReduceMean", [sq], `${p}_ms`, [
    { name: "axes", ints: [-1] },
    { name: "keepdims", i: 1 },
  ]);
  const rt = add("Sqrt", [add("Add", [ms, "eps"], `${p}_mse`)], `${p}_rt`);
  return add("Mul", [add("Div", [x, rt], `${p}_xn`), w], `${p}_out`);
}

function ropeNodes(nodes: OnnxNodeSpec[], add: AddNode, x: string, p: string): string {
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
}

/**
 * Nodes of decoder layer `prefix` (weights `<prefix>.input_layernorm.weight`, …) from hidden state `x`
 * [B,S,H] to `output` [B,S,H]; `t` keeps intermediate names unique.
 */
export function decoderLayerNodes(
  graph: { nodes: OnnxNodeSpec[]; add: AddNode },
  config: ModelConfig,
  x: string,
  prefix: string,
  t: string,
  output: string,
): string {
  const { nodes, add } = graph;
  const p = prefix;
  const gemm = (input: string, name: string, bias: boolean, out: string): string =>
    add("Gemm", bias ? [input, `${name}.weight`, `${name}.bias`] : [input, `${name}.weight`], out, [
      { name: "transB", i: 1 },
    ]);
  const xn = add(
    "Reshape",
    [rmsNormNodes(add, x, `${p}.input_layernorm.weight`, `${t}_n1`), "s_2d"],
    `${t}_xn2d`,
  );
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
  const q = ropeNodes(nodes, add, heads("q_proj", "s_q", "q"), `${t}_q`);
  const k = ropeNodes(nodes, add, heads("k_proj", "s_kv", "k"), `${t}_k`);
  const v = heads("v_proj", "s_kv", "v");
  // Grouped-query attention: fold each KV head's query group into the sequence axis.
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
  const res1 = add("Add", [x, attn], `${t}_res1`);
  const xn2 = add(
    "Reshape",
    [rmsNormNodes(add, res1, `${p}.post_attention_layernorm.weight`, `${t}_n2`), "s_2d"],
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
  return add("Add", [res1, down], output);
}

/** Graph inputs every decoder layer reads besides its weights and hidden state. */
export function layerRuntimeInputSpecs(config: ModelConfig): OnnxValueSpec[] {
  return [
    { name: "cos", type: ONNX_FLOAT, shape: ["B", 1, "S", config.headDim] },
    { name: "sin", type: ONNX_FLOAT, shape: ["B", 1, "S", config.headDim] },
    { name: "mask", type: ONNX_FLOAT, shape: ["B", 1, "S", "S"] },
    { name: "eps", type: ONNX_FLOAT, shape: [1] },
    { name: "scale", type: ONNX_FLOAT, shape: [1] },
    { name: "half_split", type: ONNX_INT64, shape: [2] },
    ...SHAPE_INPUTS.map((name) => ({ name, type: ONNX_INT64, shape: ["r"] }) as OnnxValueSpec),
  ];
}

/** Values for `layerRuntimeInputSpecs` for a batch of B rows of S positions. */
export function layerRuntimeFeeds(
  ort: Ort,
  config: ModelConfig,
  positions: number[][],
  attentionMask: number[][] | undefined,
): Record<string, ortTypes.Tensor> {
  const B = positions.length;
  const S = positions[0]!.length;
  const H = config.hiddenSize;
  const nh = config.numAttentionHeads;
  const kvh = config.numKeyValueHeads;
  const hd = config.headDim;
  const g = nh / kvh;
  const i64 = (values: number[]) =>
    new ort.Tensor("int64", BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  const { cos, sin } = ropeTableData(config, positions);
  return {
    cos: new ort.Tensor("float32", cos, [B, 1, S, hd]),
    sin: new ort.Tensor("float32", sin, [B, 1, S, hd]),
    mask: new ort.Tensor("float32", attentionMaskData(config, B, S, 0, attentionMask), [B, 1, S, S]),
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
  };
}
