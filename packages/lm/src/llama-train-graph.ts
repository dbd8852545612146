/**
 * One training step of a Llama-family causal LM as a single ONNX graph: forward, masked next-token loss
 * and the backward pass, written out op by op (reverse-mode differentiation done by hand at build time,
 * block by block), so onnxruntime runs the whole micro-batch with its multi-threaded MLAS kernels.
 *
 * Same math as the tfjs graph (`llama-graph.ts`) and the Hugging Face modules: RMSNorm, GQA attention with
 * RoPE (rotate_half), SiLU-gated MLP, untied or tied lm_head. Activations stay 2-D [N = B·S, features]
 * except inside attention. Gradients are emitted only for trainable tensors, and the backward pass stops
 * below the lowest layer that has one (frozen layers under it cost a forward only).
 *
 * LoRA: a targeted weight is used as `W + scaling · B · (A ⊙ mask)` (mask = per-input-feature dropout with
 * 1/(1−p) scaling, fed per micro-batch), exactly as the tfjs engine's LoRA ParamStore does; the graph
 * returns dA and dB.
 */
import type { ModelConfig } from "./model-config.js";
import { parameterSpecs } from "./model-config.js";
import { ONNX_FLOAT, ONNX_INT64, type OnnxAttr, type OnnxValueSpec, encodeOnnx } from "./onnx-encoder.js";
import { OnnxGraph } from "./onnx-graph.js";

export interface TrainGraphOptions {
  /** Names of trainable base parameters (full or selective fine-tuning). */
  trainable: ReadonlySet<string>;
  /** LoRA: targeted modules (`model.layers.0.self_attn.q_proj`) and the scaling alpha/r. */
  lora?: { modules: readonly string[]; r: number; scaling: number };
  /** Forward and loss only (validation). */
  forwardOnly?: boolean;
}

/** Names of the graph's LoRA inputs for a module. */
export const loraInputNames = (module: string) => ({
  a: `${module}.lora_A`,
  b: `${module}.lora_B`,
  mask: `${module}.lora_mask`,
});

/** Output name of the gradient of a trainable tensor (base name, or a LoRA input name). */
export const gradName = (name: string) => `grad:${name}`;

/** The shape symbols fed at run time (int64 vectors). */
export const TRAIN_SHAPE_INPUTS = [
  "s_q4",
  "s_kv4",
  "s_qg",
  "s_scores",
  "s_probs",
  "s_nh4",
  "s_q2",
  "s_kv2",
] as const;

interface LayerSaved {
  x: string;
  n1: RmsSaved;
  xn: string;
  qg: string;
  kt: string;
  vt: string;
  probs: string;
  ctx2d: string;
  x1: string;
  n2: RmsSaved;
  xn2: string;
  gate: string;
  up: string;
  sig: string;
  silu: string;
  act: string;
}

interface RmsSaved {
  x: string;
  rt: string;
  xhat: string;
  w: string;
}

/** The trainable tensors whose gradients the graph returns, in output order. */
export function trainGraphGradients(config: ModelConfig, opts: TrainGraphOptions): string[] {
  if (opts.forwardOnly) return [];
  if (opts.lora) return opts.lora.modules.flatMap((m) => [loraInputNames(m).a, loraInputNames(m).b]);
  return parameterSpecs(config)
    .map((s) => s.name)
    .filter((n) => opts.trainable.has(n));
}

export function buildLlamaTrainOnnx(config: ModelConfig, opts: TrainGraphOptions): Uint8Array {
  const b = new TrainGraphBuilder(config, opts);
  const head = b.forward();
  if (!opts.forwardOnly) b.backward(head);
  return encodeOnnx({
    name: "llama_train_step",
    nodes: b.g.nodes,
    inputs: trainGraphInputs(config, opts),
    outputs: trainGraphOutputs(config, opts),
    opset: 17,
  });
}

const perm = (ints: number[]): OnnxAttr[] => [{ name: "perm", ints }];
const T_BSNH = perm([0, 2, 1, 3]);
const T_LAST = perm([0, 1, 3, 2]);

/** What the forward pass keeps for the backward pass after the last layer. */
interface HeadSaved {
  fin: { y: string; saved: RmsSaved };
  logits: string;
  logp: string;
}

/** Builds the graph op by op: the building blocks with their hand-written backward, then the passes. */
class TrainGraphBuilder {
  readonly g = new OnnxGraph();
  private readonly loraModules: Set<string>;
  /** The weight a LoRA-targeted linear layer multiplies by, built once per module. */
  private readonly effective = new Map<string, string>();
  private readonly saved: LayerSaved[] = [];
  private readonly embedName = "model.embed_tokens.weight";
  private readonly headName: string;

  constructor(
    private readonly config: ModelConfig,
    private readonly opts: TrainGraphOptions,
  ) {
    this.loraModules = new Set(opts.lora?.modules ?? []);
    this.headName = config.tieWordEmbeddings ? this.embedName : "lm_head.weight";
  }

  private trainsBase(name: string): boolean {
    return !this.opts.forwardOnly && !this.opts.lora && this.opts.trainable.has(name);
  }

  private trainsModule(module: string): boolean {
    return !this.opts.forwardOnly && (this.loraModules.has(module) || this.trainsBase(`${module}.weight`));
  }

  /** needBelow[l]: something at or below layer l-1 (or the embedding) trains, so dx must flow into layer l. */
  private needBelow(): boolean[] {
    const L = this.config.numHiddenLayers;
    const specs = parameterSpecs(this.config);
    const layerTrains = (l: number) =>
      specs.some(
        (s) =>
          s.name.startsWith(`model.layers.${l}.`) &&
          (this.trainsBase(s.name) || this.trainsModule(s.name.replace(/\.(weight|bias)$/, ""))),
      );
    const needBelow: boolean[] = [];
    let below = this.trainsBase(this.embedName);
    for (let l = 0; l <= L; l++) {
      needBelow.push(below);
      if (l < L && layerTrains(l)) below = true;
    }
    return needBelow;
  }

  /** The weight a linear layer multiplies by (LoRA-adapted when targeted). */
  private weightOf(module: string): string {
    if (!this.loraModules.has(module)) return `${module}.weight`;
    let w = this.effective.get(module);
    if (!w) {
      const { g } = this;
      const n = loraInputNames(module);
      const am = g.op("Mul", [n.a, n.mask]);
      const ba = g.op("Gemm", [n.b, am], [{ name: "alpha", f: this.opts.lora!.scaling }]);
      w = g.op("Add", [`${module}.weight`, ba]);
      this.effective.set(module, w);
    }
    return w;
  }

  private linear(x: string, module: string, bias: boolean): string {
    const inputs = [x, this.weightOf(module)];
    if (bias) inputs.push(`${module}.bias`);
    return this.g.op("Gemm", inputs, [{ name: "transB", i: 1 }]);
  }

  /** Gradients of a linear layer's parameters from dy [N,out] and its input x [N,in]; returns nothing. */
  private linearParamGrads(dy: string, x: string, module: string, bias: boolean): void {
    const { g } = this;
    const wName = `${module}.weight`;
    if (this.loraModules.has(module)) {
      const n = loraInputNames(module);
      const dW = g.op("Gemm", [dy, x], [{ name: "transA", i: 1 }]);
      const am = g.op("Mul", [n.a, n.mask]);
      const s = this.opts.lora!.scaling;
      g.op(
        "Gemm",
        [dW, am],
        [
          { name: "transB", i: 1 },
          { name: "alpha", f: s },
        ],
        gradName(n.b),
      );
      const dAm = g.op(
        "Gemm",
        [n.b, dW],
        [
          { name: "transA", i: 1 },
          { name: "alpha", f: s },
        ],
      );
      g.op("Mul", [dAm, n.mask], [], gradName(n.a));
      return;
    }
    if (this.trainsBase(wName)) g.op("Gemm", [dy, x], [{ name: "transA", i: 1 }], gradName(wName));
    if (bias && this.trainsBase(`${module}.bias`))
      g.op("ReduceSum", [dy, "axis0"], [{ name: "keepdims", i: 0 }], gradName(`${module}.bias`));
  }

  private rms(x: string, w: string): { y: string; saved: RmsSaved } {
    const { g } = this;
    const ms = g.op(
      "ReduceMean",
      [g.op("Mul", [x, x])],
      [
        { name: "axes", ints: [-1] },
        { name: "keepdims", i: 1 },
      ],
    );
    const rt = g.op("Sqrt", [g.op("Add", [ms, "eps"])]);
    const xhat = g.op("Div", [x, rt]);
    return { y: g.op("Mul", [xhat, w]), saved: { x, rt, xhat, w } };
  }

  private rmsBackward(dy: string, s: RmsSaved, needDx: boolean): string | null {
    const { g } = this;
    if (this.trainsBase(s.w))
      g.op("ReduceSum", [g.op("Mul", [dy, s.xhat]), "axis0"], [{ name: "keepdims", i: 0 }], gradName(s.w));
    if (!needDx) return null;
    const dxhat = g.op("Mul", [dy, s.w]);
    const dot = g.op(
      "ReduceMean",
      [g.op("Mul", [dxhat, s.xhat])],
      [
        { name: "axes", ints: [-1] },
        { name: "keepdims", i: 1 },
      ],
    );
    return g.op("Div", [g.op("Sub", [dxhat, g.op("Mul", [s.xhat, dot])]), s.rt]);
  }

  private rope(x: string): string {
    const { g } = this;
    const [x1, x2] = g.split(x, "half_split");
    const rot = g.op("Concat", [g.op("Neg", [x2!]), x1!], [{ name: "axis", i: -1 }]);
    return g.op("Add", [g.op("Mul", [x, "cos"]), g.op("Mul", [rot, "sin"])]);
  }

  // y = x·cos + rot(x)·sin with rot(x) = [−x2, x1]  ⇒  dx = dy·cos + [u2, −u1] where u = dy·sin
  private ropeBackward(dy: string): string {
    const { g } = this;
    const [u1, u2] = g.split(g.op("Mul", [dy, "sin"]), "half_split");
    const rotT = g.op("Concat", [u2!, g.op("Neg", [u1!])], [{ name: "axis", i: -1 }]);
    return g.op("Add", [g.op("Mul", [dy, "cos"]), rotT]);
  }

  /** Embedding, the decoder layers, the final norm, the head and the masked next-token loss. */
  forward(): HeadSaved {
    const { g } = this;
    let x = g.op("Gather", [this.embedName, "ids"], [{ name: "axis", i: 0 }]);
    for (let l = 0; l < this.config.numHiddenLayers; l++) x = this.layerForward(l, x);
    const fin = this.rms(x, "model.norm.weight");
    const logits = g.op("Gemm", [fin.y, this.headName], [{ name: "transB", i: 1 }]);
    // loss = −Σ w · log softmax(logits)[target]  (w = 1/lossTokens on counted positions, 0 elsewhere)
    const logp = g.op("LogSoftmax", [logits], [{ name: "axis", i: -1 }]);
    const picked = g.op("GatherElements", [logp, "targets"], [{ name: "axis", i: 1 }]);
    g.op(
      "Neg",
      [g.op("ReduceSum", [g.op("Mul", [picked, "weights"])], [{ name: "keepdims", i: 0 }])],
      [],
      "loss",
    );
    return { fin, logits, logp };
  }

  /** One decoder layer; what its backward needs is kept in `saved[l]`. */
  private layerForward(l: number, x: string): string {
    const { g, config } = this;
    const p = `model.layers.${l}`;
    const n1 = this.rms(x, `${p}.input_layernorm.weight`);
    const xn = n1.y;
    const heads = (proj: string, shape: string, bias: boolean, roped: boolean) => {
      const four = g.op("Reshape", [this.linear(xn, `${p}.self_attn.${proj}`, bias), shape]);
      return g.op("Transpose", [roped ? this.rope(four) : four], T_BSNH);
    };
    const qg = g.op("Reshape", [heads("q_proj", "s_q4", config.qkvBias, true), "s_qg"]);
    const kt = heads("k_proj", "s_kv4", config.qkvBias, true);
    const vt = heads("v_proj", "s_kv4", config.qkvBias, false);
    const scores = g.op("Mul", [g.op("MatMul", [qg, g.op("Transpose", [kt], T_LAST)]), "scale"]);
    const masked = g.op("Add", [g.op("Reshape", [scores, "s_scores"]), "mask"]);
    const probs = g.op("Reshape", [g.op("Softmax", [masked], [{ name: "axis", i: -1 }]), "s_probs"]);
    const ctx = g.op("Reshape", [g.op("MatMul", [probs, vt]), "s_nh4"]);
    const ctx2d = g.op("Reshape", [g.op("Transpose", [ctx], T_BSNH), "s_q2"]);
    const x1 = g.op("Add", [x, this.linear(ctx2d, `${p}.self_attn.o_proj`, config.oBias)]);
    const n2 = this.rms(x1, `${p}.post_attention_layernorm.weight`);
    const xn2 = n2.y;
    const gate = this.linear(xn2, `${p}.mlp.gate_proj`, config.mlpBias);
    const up = this.linear(xn2, `${p}.mlp.up_proj`, config.mlpBias);
    const sig = g.op("Sigmoid", [gate]);
    const silu = g.op("Mul", [gate, sig]);
    const act = g.op("Mul", [silu, up]);
    const x2 = g.op("Add", [x1, this.linear(act, `${p}.mlp.down_proj`, config.mlpBias)]);
    this.saved.push({
      x,
      n1: n1.saved,
      xn,
      qg,
      kt,
      vt,
      probs,
      ctx2d,
      x1,
      n2: n2.saved,
      xn2,
      gate,
      up,
      sig,
      silu,
      act,
    });
    return x2;
  }

  /** Gradients from the loss down to the lowest trainable tensor (tied head: added into the embedding's). */
  backward({ fin, logits, logp }: HeadSaved): void {
    const { g, config, embedName, headName } = this;
    const L = config.numHiddenLayers;
    const needBelow = this.needBelow();
    // d loss / d logits = w · (softmax − onehot(target))
    const onehotW = g.op(
      "ScatterElements",
      [g.op("Mul", [logits, "zero"]), "targets", "weights"],
      [{ name: "axis", i: 1 }],
    );
    const dlogits = g.op("Sub", [g.op("Mul", [g.op("Exp", [logp]), "weights"]), onehotW]);
    const headGrad = this.trainsBase(headName)
      ? g.op(
          "Gemm",
          [dlogits, fin.y],
          [{ name: "transA", i: 1 }],
          config.tieWordEmbeddings ? undefined : gradName(headName),
        )
      : null;
    if (!needBelow[L]) {
      if (config.tieWordEmbeddings && headGrad) g.op("Identity", [headGrad], [], gradName(embedName));
      return;
    }
    let dx = this.rmsBackward(g.op("MatMul", [dlogits, headName]), fin.saved, true)!;
    for (let l = L - 1; l >= 0; l--) {
      if (!needBelow[l + 1]) break;
      dx = this.layerBackward(l, dx, needBelow[l]!) ?? "";
      if (!needBelow[l]) break;
    }
    if (this.trainsBase(embedName)) {
      const scattered = g.op(
        "ScatterND",
        [g.op("Mul", [embedName, "zero"]), "ids_col", dx],
        [{ name: "reduction", s: "add" }],
      );
      if (config.tieWordEmbeddings && headGrad) g.op("Add", [scattered, headGrad], [], gradName(embedName));
      else g.op("Identity", [scattered], [], gradName(embedName));
    }
  }

  private layerBackward(l: number, dx2: string, needDx: boolean): string | null {
    const s = this.saved[l]!;
    const dx1 = this.mlpBackward(l, s, dx2);
    const dxn = this.attentionBackward(l, s, dx1);
    const dn1 = this.rmsBackward(dxn, s.n1, needDx);
    return needDx ? this.g.op("Add", [dx1, dn1!]) : null;
  }

  /** Through the MLP block and its norm: d loss / d x1 (the residual stream after attention). */
  private mlpBackward(l: number, s: LayerSaved, dx2: string): string {
    const { g, config } = this;
    const p = `model.layers.${l}`;
    const down = `${p}.mlp.down_proj`;
    this.linearParamGrads(dx2, s.act, down, config.mlpBias);
    const dact = g.op("MatMul", [dx2, this.weightOf(down)]);
    const dup = g.op("Mul", [dact, s.silu]);
    // silu'(z) = σ(z)·(1 + z·(1 − σ(z)))
    const dsilu = g.op("Mul", [dact, s.up]);
    const one = "one";
    const dsig = g.op("Mul", [s.sig, g.op("Add", [one, g.op("Mul", [s.gate, g.op("Sub", [one, s.sig])])])]);
    const dgate = g.op("Mul", [dsilu, dsig]);
    this.linearParamGrads(dgate, s.xn2, `${p}.mlp.gate_proj`, config.mlpBias);
    this.linearParamGrads(dup, s.xn2, `${p}.mlp.up_proj`, config.mlpBias);
    const dxn2 = g.op("Add", [
      g.op("MatMul", [dgate, this.weightOf(`${p}.mlp.gate_proj`)]),
      g.op("MatMul", [dup, this.weightOf(`${p}.mlp.up_proj`)]),
    ]);
    return g.op("Add", [dx2, this.rmsBackward(dxn2, s.n2, true)!]);
  }

  /** Through attention (o, softmax, RoPE, q/k/v): d loss / d xn (the normed layer input). */
  private attentionBackward(l: number, s: LayerSaved, dx1: string): string {
    const { g, config } = this;
    const proj = (name: string) => `model.layers.${l}.self_attn.${name}`;
    this.linearParamGrads(dx1, s.ctx2d, proj("o_proj"), config.oBias);
    const dctx2d = g.op("MatMul", [dx1, this.weightOf(proj("o_proj"))]);
    const dctx = g.op("Reshape", [g.op("Transpose", [g.op("Reshape", [dctx2d, "s_q4"])], T_BSNH), "s_qg"]);
    const dprobs = g.op("MatMul", [dctx, g.op("Transpose", [s.vt], T_LAST)]);
    const dvt = g.op("MatMul", [g.op("Transpose", [s.probs], T_LAST), dctx]);
    // softmax backward: ds = p · (dp − Σ dp·p), then the 1/√d scale of the scores
    const dot = g.op("ReduceSum", [g.op("Mul", [dprobs, s.probs]), "axism1"], [{ name: "keepdims", i: 1 }]);
    const ds = g.op("Mul", [g.op("Mul", [s.probs, g.op("Sub", [dprobs, dot])]), "scale"]);
    const dqg = g.op("MatMul", [ds, s.kt]);
    const dkt = g.op("MatMul", [g.op("Transpose", [ds], T_LAST), s.qg]);
    const to2d = (d4: string, roped: boolean, shape2d: string) => {
      const bsnh = g.op("Transpose", [d4], T_BSNH);
      return g.op("Reshape", [roped ? this.ropeBackward(bsnh) : bsnh, shape2d]);
    };
    const dq = to2d(g.op("Reshape", [dqg, "s_nh4"]), true, "s_q2");
    const dk = to2d(dkt, true, "s_kv2");
    const dv = to2d(dvt, false, "s_kv2");
    this.linearParamGrads(dq, s.xn, proj("q_proj"), config.qkvBias);
    this.linearParamGrads(dk, s.xn, proj("k_proj"), config.qkvBias);
    this.linearParamGrads(dv, s.xn, proj("v_proj"), config.qkvBias);
    return g.op("Add", [
      g.op("Add", [
        g.op("MatMul", [dq, this.weightOf(proj("q_proj"))]),
        g.op("MatMul", [dk, this.weightOf(proj("k_proj"))]),
      ]),
      g.op("MatMul", [dv, this.weightOf(proj("v_proj"))]),
    ]);
  }
}

/** The graph's inputs: token ids, targets and loss weights, RoPE tables, constants, shapes, weights, LoRA. */
function trainGraphInputs(config: ModelConfig, opts: TrainGraphOptions): OnnxValueSpec[] {
  const shapes = new Map(parameterSpecs(config).map((s) => [s.name, s.shape]));
  const inputs: OnnxValueSpec[] = [
    { name: "ids", type: ONNX_INT64, shape: ["N"] },
    { name: "ids_col", type: ONNX_INT64, shape: ["N", 1] },
    { name: "targets", type: ONNX_INT64, shape: ["N", 1] },
    { name: "weights", type: ONNX_FLOAT, shape: ["N", 1] },
    { name: "cos", type: ONNX_FLOAT, shape: ["B", "S", 1, config.headDim] },
    { name: "sin", type: ONNX_FLOAT, shape: ["B", "S", 1, config.headDim] },
    { name: "mask", type: ONNX_FLOAT, shape: ["B", 1, "S", "S"] },
    ...["eps", "scale", "one", "zero"].map(
      (name) => ({ name, type: ONNX_FLOAT, shape: [1] }) as OnnxValueSpec,
    ),
    ...["axis0", "axism1", "half_split"].map(
      (name) => ({ name, type: ONNX_INT64, shape: ["r"] }) as OnnxValueSpec,
    ),
    ...TRAIN_SHAPE_INPUTS.map((name) => ({ name, type: ONNX_INT64, shape: ["r"] }) as OnnxValueSpec),
    ...parameterSpecs(config).map(
      (s) => ({ name: s.name, type: ONNX_FLOAT, shape: s.shape }) as OnnxValueSpec,
    ),
  ];
  for (const module of opts.lora?.modules ?? []) {
    const [out, inF] = shapes.get(`${module}.weight`)! as [number, number];
    const n = loraInputNames(module);
    const r = opts.lora!.r;
    inputs.push({ name: n.a, type: ONNX_FLOAT, shape: [r, inF] });
    inputs.push({ name: n.b, type: ONNX_FLOAT, shape: [out, r] });
    inputs.push({ name: n.mask, type: ONNX_FLOAT, shape: [1, inF] });
  }
  return inputs;
}

/** The graph's outputs: the loss, then one gradient per trainable tensor. */
function trainGraphOutputs(config: ModelConfig, opts: TrainGraphOptions): OnnxValueSpec[] {
  const shapes = new Map(parameterSpecs(config).map((s) => [s.name, s.shape]));
  const gradShape = (name: string): number[] => {
    const base = shapes.get(name);
    if (base) return base.slice();
    const module = opts.lora!.modules.find(
      (m) => loraInputNames(m).a === name || loraInputNames(m).b === name,
    )!;
    const [out, inF] = shapes.get(`${module}.weight`)! as [number, number];
    return loraInputNames(module).a === name ? [opts.lora!.r, inF] : [out, opts.lora!.r];
  };
  return [
    { name: "loss", type: ONNX_FLOAT, shape: [] },
    ...trainGraphGradients(config, opts).map(
      (name) => ({ name: gradName(name), type: ONNX_FLOAT, shape: gradShape(name) }) as OnnxValueSpec,
    ),
  ];
}
