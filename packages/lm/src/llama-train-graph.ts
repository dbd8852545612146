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
  const g = new OnnxGraph();
  const L = config.numHiddenLayers;
  const loraModules = new Set(opts.lora?.modules ?? []);
  const trainsBase = (name: string) => !opts.forwardOnly && !opts.lora && opts.trainable.has(name);
  const trainsModule = (module: string) =>
    !opts.forwardOnly && (loraModules.has(module) || trainsBase(`${module}.weight`));
  const layerTrains = (l: number) =>
    parameterSpecs(config).some(
      (s) =>
        s.name.startsWith(`model.layers.${l}.`) &&
        (trainsBase(s.name) || trainsModule(s.name.replace(/\.(weight|bias)$/, ""))),
    );
  const embedName = "model.embed_tokens.weight";
  const headName = config.tieWordEmbeddings ? embedName : "lm_head.weight";
  // needBelow[l]: something at or below layer l-1 (or the embedding) trains, so dx must flow into layer l
  const needBelow: boolean[] = [];
  let below = trainsBase(embedName);
  for (let l = 0; l <= L; l++) {
    needBelow.push(below);
    if (l < L && layerTrains(l)) below = true;
  }

  /** The weight a linear layer multiplies by (LoRA-adapted when targeted). */
  const effective = new Map<string, string>();
  const weightOf = (module: string): string => {
    if (!loraModules.has(module)) return `${module}.weight`;
    let w = effective.get(module);
    if (!w) {
      const n = loraInputNames(module);
      const am = g.op("Mul", [n.a, n.mask]);
      const ba = g.op("Gemm", [n.b, am], [{ name: "alpha", f: opts.lora!.scaling }]);
      w = g.op("Add", [`${module}.weight`, ba]);
      effective.set(module, w);
    }
    return w;
  };
  const linear = (x: string, module: string, bias: boolean): string => {
    const inputs = [x, weightOf(module)];
    if (bias) inputs.push(`${module}.bias`);
    return g.op("Gemm", inputs, [{ name: "transB", i: 1 }]);
  };
  /** Gradients of a linear layer's parameters from dy [N,out] and its input x [N,in]; returns nothing. */
  const linearParamGrads = (dy: string, x: string, module: string, bias: boolean) => {
    const wName = `${module}.weight`;
    if (loraModules.has(module)) {
      const n = loraInputNames(module);
      const dW = g.op("Gemm", [dy, x], [{ name: "transA", i: 1 }]);
      const am = g.op("Mul", [n.a, n.mask]);
      const s = opts.lora!.scaling;
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
    if (trainsBase(wName)) g.op("Gemm", [dy, x], [{ name: "transA", i: 1 }], gradName(wName));
    if (bias && trainsBase(`${module}.bias`))
      g.op("ReduceSum", [dy, "axis0"], [{ name: "keepdims", i: 0 }], gradName(`${module}.bias`));
  };

  const rms = (x: string, w: string): { y: string; saved: RmsSaved } => {
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
  };
  const rmsBackward = (dy: string, s: RmsSaved, needDx: boolean): string | null => {
    if (trainsBase(s.w))
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
  };
  const rope = (x: string): string => {
    const [x1, x2] = g.split(x, "half_split");
    const rot = g.op("Concat", [g.op("Neg", [x2!]), x1!], [{ name: "axis", i: -1 }]);
    return g.op("Add", [g.op("Mul", [x, "cos"]), g.op("Mul", [rot, "sin"])]);
  };
  // y = x·cos + rot(x)·sin with rot(x) = [−x2, x1]  ⇒  dx = dy·cos + [u2, −u1] where u = dy·sin
  const ropeBackward = (dy: string): string => {
    const [u1, u2] = g.split(g.op("Mul", [dy, "sin"]), "half_split");
    const rotT = g.op("Concat", [u2!, g.op("Neg", [u1!])], [{ name: "axis", i: -1 }]);
    return g.op("Add", [g.op("Mul", [dy, "cos"]), rotT]);
  };
  const perm = (ints: number[]): OnnxAttr[] => [{ name: "perm", ints }];
  const T_BSNH = perm([0, 2, 1, 3]);
  const T_LAST = perm([0, 1, 3, 2]);

  // ---------------- forward ----------------
  const x0 = g.op("Gather", [embedName, "ids"], [{ name: "axis", i: 0 }]);
  const saved: LayerSaved[] = [];
  let x = x0;
  for (let l = 0; l < L; l++) {
    const p = `model.layers.${l}`;
    const n1 = rms(x, `${p}.input_layernorm.weight`);
    const xn = n1.y;
    const heads = (proj: string, shape: string, bias: boolean, roped: boolean) => {
      const four = g.op("Reshape", [linear(xn, `${p}.self_attn.${proj}`, bias), shape]);
      return g.op("Transpose", [roped ? rope(four) : four], T_BSNH);
    };
    const qg = g.op("Reshape", [heads("q_proj", "s_q4", config.qkvBias, true), "s_qg"]);
    const kt = heads("k_proj", "s_kv4", config.qkvBias, true);
    const vt = heads("v_proj", "s_kv4", config.qkvBias, false);
    const scores = g.op("Mul", [g.op("MatMul", [qg, g.op("Transpose", [kt], T_LAST)]), "scale"]);
    const masked = g.op("Add", [g.op("Reshape", [scores, "s_scores"]), "mask"]);
    const probs = g.op("Reshape", [g.op("Softmax", [masked], [{ name: "axis", i: -1 }]), "s_probs"]);
    const ctx = g.op("Reshape", [g.op("MatMul", [probs, vt]), "s_nh4"]);
    const ctx2d = g.op("Reshape", [g.op("Transpose", [ctx], T_BSNH), "s_q2"]);
    const x1 = g.op("Add", [x, linear(ctx2d, `${p}.self_attn.o_proj`, config.oBias)]);
    const n2 = rms(x1, `${p}.post_attention_layernorm.weight`);
    const xn2 = n2.y;
    const gate = linear(xn2, `${p}.mlp.gate_proj`, config.mlpBias);
    const up = linear(xn2, `${p}.mlp.up_proj`, config.mlpBias);
    const sig = g.op("Sigmoid", [gate]);
    const silu = g.op("Mul", [gate, sig]);
    const act = g.op("Mul", [silu, up]);
    const x2 = g.op("Add", [x1, linear(act, `${p}.mlp.down_proj`, config.mlpBias)]);
    saved.push({
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
    x = x2;
  }
  const fin = rms(x, "model.norm.weight");
  const logits = g.op("Gemm", [fin.y, headName], [{ name: "transB", i: 1 }]);
  // loss = −Σ w · log softmax(logits)[target]  (w = 1/lossTokens on counted positions, 0 elsewhere)
  const logp = g.op("LogSoftmax", [logits], [{ name: "axis", i: -1 }]);
  const picked = g.op("GatherElements", [logp, "targets"], [{ name: "axis", i: 1 }]);
  g.op(
    "Neg",
    [g.op("ReduceSum", [g.op("Mul", [picked, "weights"])], [{ name: "keepdims", i: 0 }])],
    [],
    "loss",
  );

  // ---------------- backward ----------------
  if (!opts.forwardOnly) backward();
  function backward(): void {
    // d loss / d logits = w · (softmax − onehot(target))
    const onehotW = g.op(
      "ScatterElements",
      [g.op("Mul", [logits, "zero"]), "targets", "weights"],
      [{ name: "axis", i: 1 }],
    );
    const dlogits = g.op("Sub", [g.op("Mul", [g.op("Exp", [logp]), "weights"]), onehotW]);
    const headGrad = trainsBase(headName)
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
    let dx = rmsBackward(g.op("MatMul", [dlogits, headName]), fin.saved, true)!;
    for (let l = L - 1; l >= 0; l--) {
      if (!needBelow[l + 1]) break;
      dx = layerBackward(l, dx, needBelow[l]!) ?? "";
      if (!needBelow[l]) break;
    }
    if (trainsBase(embedName)) {
      const scattered = g.op(
        "ScatterND",
        [g.op("Mul", [embedName, "zero"]), "ids_col", dx],
        [{ name: "reduction", s: "add" }],
      );
      if (config.tieWordEmbeddings && headGrad) g.op("Add", [scattered, headGrad], [], gradName(embedName));
      else g.op("Identity", [scattered], [], gradName(embedName));
    }
  }

  function layerBackward(l: number, dx2: string, needDx: boolean): string | null {
    const p = `model.layers.${l}`;
    const s = saved[l]!;
    // --- MLP ---
    const down = `${p}.mlp.down_proj`;
    linearParamGrads(dx2, s.act, down, config.mlpBias);
    const dact = g.op("MatMul", [dx2, weightOf(down)]);
    const dup = g.op("Mul", [dact, s.silu]);
    // silu'(z) = σ(z)·(1 + z·(1 − σ(z)))
    const dsilu = g.op("Mul", [dact, s.up]);
    const one = "one";
    const dsig = g.op("Mul", [s.sig, g.op("Add", [one, g.op("Mul", [s.gate, g.op("Sub", [one, s.sig])])])]);
    const dgate = g.op("Mul", [dsilu, dsig]);
    linearParamGrads(dgate, s.xn2, `${p}.mlp.gate_proj`, config.mlpBias);
    linearParamGrads(dup, s.xn2, `${p}.mlp.up_proj`, config.mlpBias);
    const dxn2 = g.op("Add", [
      g.op("MatMul", [dgate, weightOf(`${p}.mlp.gate_proj`)]),
      g.op("MatMul", [dup, weightOf(`${p}.mlp.up_proj`)]),
    ]);
    const dx1 = g.op("Add", [dx2, rmsBackward(dxn2, s.n2, true)!]);
    // --- attention ---
    const o = `${p}.self_attn.o_proj`;
    linearParamGrads(dx1, s.ctx2d, o, config.oBias);
    const dctx2d = g.op("MatMul", [dx1, weightOf(o)]);
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
      return g.op("Reshape", [roped ? ropeBackward(bsnh) : bsnh, shape2d]);
    };
    const dq = to2d(g.op("Reshape", [dqg, "s_nh4"]), true, "s_q2");
    const dk = to2d(dkt, true, "s_kv2");
    const dv = to2d(dvt, false, "s_kv2");
    const proj = (name: string) => `${p}.self_attn.${name}`;
    linearParamGrads(dq, s.xn, proj("q_proj"), config.qkvBias);
    linearParamGrads(dk, s.xn, proj("k_proj"), config.qkvBias);
    linearParamGrads(dv, s.xn, proj("v_proj"), config.qkvBias);
    const dxn = g.op("Add", [
      g.op("Add", [
        g.op("MatMul", [dq, weightOf(proj("q_proj"))]),
        g.op("MatMul", [dk, weightOf(proj("k_proj"))]),
      ]),
      g.op("MatMul", [dv, weightOf(proj("v_proj"))]),
    ]);
    const dn1 = rmsBackward(dxn, s.n1, needDx);
    return needDx ? g.op("Add", [dx1, dn1!]) : null;
  }

  const grads = trainGraphGradients(config, opts);
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
  const gradShape = (name: string): number[] => {
    const base = shapes.get(name);
    if (base) return base.slice();
    const module = opts.lora!.modules.find(
      (m) => loraInputNames(m).a === name || loraInputNames(m).b === name,
    )!;
    const [out, inF] = shapes.get(`${module}.weight`)! as [number, number];
    return loraInputNames(module).a === name ? [opts.lora!.r, inF] : [out, opts.lora!.r];
  };
  const outputs: OnnxValueSpec[] = [
    { name: "loss", type: ONNX_FLOAT, shape: [] },
    ...grads.map(
      (name) => ({ name: gradName(name), type: ONNX_FLOAT, shape: gradShape(name) }) as OnnxValueSpec,
    ),
  ];
  return encodeOnnx({ name: "llama_train_step", nodes: g.nodes, inputs, outputs, opset: 17 });
}
