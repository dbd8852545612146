// Writes a tiny but real sentence encoder folder that @huggingface/transformers loads offline:
// config.json (model_type bert), a WordPiece tokenizer.json + tokenizer_config.json, and onnx/model.onnx
// (Gather embeddings → MatMul → Tanh → `last_hidden_state`). Weights are seeded random numbers, also saved
// as weights.json so an independent numpy script can recompute embeddings.
// With `context`, every token also sees the attention-masked mean of the sentence's embeddings (through a
// second matrix), so the CLS token's output depends on the sentence, as in a real BERT.
// `writeTinySentenceTransformer` adds sentence-transformers' module folders in LaBSE's layout: modules.json,
// sentence_bert_config.json, 1_Pooling/config.json, 2_Dense/{config.json, model.safetensors}, 3_Normalize/.
//
//   npx tsx tools/make-tiny-encoder.ts <out-dir> [seed] [--labse]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeededRandom } from "@cftkit/core";
import { writeSafetensors } from "@cftkit/safetensors";
import onnxProto, { type onnx as OnnxTypes } from "onnx-proto";

const { onnx } = onnxProto;

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
const CHARS = [..."abcdefghijklmnopqrstuvwxyz0123456789äöüßéèàçñ"];
const PUNCTUATION = [...".,;:!?'\"()-"];

export interface TinyEncoderInfo {
  dir: string;
  vocab: string[];
  hidden: number;
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTypes.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(values.buffer.slice(0)),
  };
}

function int64Tensor(name: string, values: number[]): OnnxTypes.ITensorProto {
  return {
    name,
    dims: [values.length],
    dataType: onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  };
}

function idsInput(name: string): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.INT64,
        shape: { dim: [{ dimParam: "batch" }, { dimParam: "sequence" }] },
      },
    },
  };
}

/** tanh(E[ids]·P + ctx·C), ctx = Σ mask·E[ids] / Σ mask over the sentence (Unsqueeze/ReduceSum take axes as inputs in opset 13). */
function contextNodes(): OnnxTypes.INodeProto[] {
  return [
    {
      opType: "Cast",
      input: ["attention_mask"],
      output: ["mask_f"],
      attribute: [
        { name: "to", type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT },
      ],
    },
    { opType: "Unsqueeze", input: ["mask_f", "axis2"], output: ["mask3"] },
    { opType: "Mul", input: ["embedded", "mask3"], output: ["masked"] },
    {
      opType: "ReduceSum",
      input: ["masked", "axis1"],
      output: ["summed"],
      attribute: [{ name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    },
    {
      opType: "ReduceSum",
      input: ["mask3", "axis1"],
      output: ["count"],
      attribute: [{ name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    },
    { opType: "Div", input: ["summed", "count"], output: ["ctx"] },
    { opType: "MatMul", input: ["ctx", "context"], output: ["ctx_projected"] },
    { opType: "Add", input: ["projected", "ctx_projected"], output: ["pre"] },
    { opType: "Tanh", input: ["pre"], output: ["last_hidden_state"] },
  ];
}

export function writeTinyEncoder(
  dir: string,
  seed = 0,
  hidden = 16,
  options: { context?: boolean } = {},
): TinyEncoderInfo {
  const vocab = [...SPECIALS, ...CHARS, ...CHARS.map((c) => `##${c}`), ...PUNCTUATION];
  const rng = new SeededRandom(seed);
  const embeddings = Float32Array.from({ length: vocab.length * hidden }, () => rng.normal() * 0.5);
  const projection = Float32Array.from({ length: hidden * hidden }, () => rng.normal() / Math.sqrt(hidden));
  const context = options.context
    ? Float32Array.from({ length: hidden * hidden }, () => rng.normal() / Math.sqrt(hidden))
    : null;

  const graph: OnnxTypes.IGraphProto = {
    name: "tiny-encoder",
    node: [
      {
        opType: "Gather",
        input: ["embeddings", "input_ids"],
        output: ["embedded"],
        attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      },
      { opType: "MatMul", input: ["embedded", "projection"], output: ["projected"] },
      ...(context
        ? contextNodes()
        : [{ opType: "Tanh", input: ["projected"], output: ["last_hidden_state"] }]),
    ],
    initializer: [
      floatTensor("embeddings", [vocab.length, hidden], embeddings),
      floatTensor("projection", [hidden, hidden], projection),
      ...(context
        ? [
            floatTensor("context", [hidden, hidden], context),
            int64Tensor("axis1", [1]),
            int64Tensor("axis2", [2]),
          ]
        : []),
    ],
    input: [idsInput("input_ids"), ...(context ? [idsInput("attention_mask")] : [])],
    output: [
      {
        name: "last_hidden_state",
        type: {
          tensorType: {
            elemType: onnx.TensorProto.DataType.FLOAT,
            shape: { dim: [{ dimParam: "batch" }, { dimParam: "sequence" }, { dimValue: hidden }] },
          },
        },
      },
    ],
  };
  const model = onnx.ModelProto.encode({
    irVersion: 7,
    producerName: "cftkit-tools",
    opsetImport: [{ domain: "", version: 13 }],
    graph,
  }).finish();

  mkdirSync(join(dir, "onnx"), { recursive: true });
  writeFileSync(join(dir, "onnx", "model.onnx"), model);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify(
      { model_type: "bert", architectures: ["BertModel"], hidden_size: hidden, vocab_size: vocab.length },
      null,
      2,
    ),
  );
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: false,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizer));
  writeFileSync(
    join(dir, "tokenizer_config.json"),
    JSON.stringify(
      {
        tokenizer_class: "BertTokenizer",
        do_lower_case: true,
        model_max_length: 512,
        pad_token: "[PAD]",
        unk_token: "[UNK]",
        cls_token: "[CLS]",
        sep_token: "[SEP]",
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(dir, "weights.json"),
    JSON.stringify({
      vocab,
      hidden,
      embeddings: Array.from(embeddings),
      projection: Array.from(projection),
      ...(context ? { context: Array.from(context) } : {}),
    }),
  );
  return { dir, vocab, hidden };
}

export interface TinySentenceTransformerOptions {
  seed?: number;
  hidden?: number;
  /** 1_Pooling/config.json flags that are on (LaBSE: cls). */
  pooling?: ("cls" | "mean" | "max" | "mean_sqrt_len" | "weightedmean" | "lasttoken")[];
  /** 2_Dense output size (LaBSE: 768 → 768, Tanh); null for no Dense module. */
  denseOut?: number | null;
  activation?: string;
  normalize?: boolean;
  maxSeqLength?: number;
}

const POOLING_FLAGS = {
  cls: "pooling_mode_cls_token",
  mean: "pooling_mode_mean_tokens",
  max: "pooling_mode_max_tokens",
  mean_sqrt_len: "pooling_mode_mean_sqrt_len_tokens",
  weightedmean: "pooling_mode_weightedmean_tokens",
  lasttoken: "pooling_mode_lasttoken",
} as const;

/** A tiny encoder in sentence-transformers' folder layout; defaults are LaBSE's modules (CLS → Dense tanh → Normalize). */
export async function writeTinySentenceTransformer(
  dir: string,
  options: TinySentenceTransformerOptions = {},
): Promise<TinyEncoderInfo> {
  const hidden = options.hidden ?? 16;
  const info = writeTinyEncoder(dir, options.seed ?? 0, hidden, { context: true });
  const pooling = options.pooling ?? ["cls"];
  const denseOut = options.denseOut === undefined ? hidden : options.denseOut;
  const modules: { idx: number; name: string; path: string; type: string }[] = [
    { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
    { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
  ];
  const json = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value, null, 2));
  json(join(dir, "sentence_bert_config.json"), {
    max_seq_length: options.maxSeqLength ?? 64,
    do_lower_case: false,
  });
  mkdirSync(join(dir, "1_Pooling"), { recursive: true });
  const flags = Object.fromEntries(
    Object.entries(POOLING_FLAGS).map(([mode, key]) => [
      key,
      pooling.includes(mode as keyof typeof POOLING_FLAGS),
    ]),
  );
  json(join(dir, "1_Pooling", "config.json"), {
    word_embedding_dimension: hidden,
    ...flags,
    include_prompt: true,
  });
  if (denseOut !== null) {
    const inFeatures = hidden * pooling.length;
    const rng = new SeededRandom((options.seed ?? 0) + 1000);
    mkdirSync(join(dir, "2_Dense"), { recursive: true });
    json(join(dir, "2_Dense", "config.json"), {
      in_features: inFeatures,
      out_features: denseOut,
      bias: true,
      activation_function: options.activation ?? "torch.nn.modules.activation.Tanh",
    });
    await writeSafetensors(join(dir, "2_Dense", "model.safetensors"), [
      {
        name: "linear.weight",
        dtype: "F32",
        shape: [denseOut, inFeatures],
        data: Float32Array.from(
          { length: denseOut * inFeatures },
          () => rng.normal() / Math.sqrt(inFeatures),
        ),
      },
      {
        name: "linear.bias",
        dtype: "F32",
        shape: [denseOut],
        data: Float32Array.from({ length: denseOut }, () => rng.normal() * 0.1),
      },
    ]);
    modules.push({ idx: 2, name: "2", path: "2_Dense", type: "sentence_transformers.models.Dense" });
  }
  if (options.normalize ?? true) {
    mkdirSync(join(dir, "3_Normalize"), { recursive: true });
    modules.push({
      idx: modules.length,
      name: String(modules.length),
      path: "3_Normalize",
      type: "sentence_transformers.models.Normalize",
    });
  }
  json(join(dir, "modules.json"), modules);
  return info;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: tsx tools/make-tiny-encoder.ts <out-dir> [seed] [--labse]");
    process.exit(2);
  }
  const seed = Number(process.argv.slice(3).find((a) => !a.startsWith("--")) ?? 0);
  if (process.argv.includes("--labse")) await writeTinySentenceTransformer(out, { seed });
  else writeTinyEncoder(out, seed);
  console.log(`wrote ${out}`);
}
