// Writes a tiny but real sentence encoder folder that @huggingface/transformers loads offline:
// config.json (model_type bert), a WordPiece tokenizer.json + tokenizer_config.json, and onnx/model.onnx
// (Gather embeddings → MatMul → Tanh → `last_hidden_state`). Weights are seeded random numbers, also saved
// as weights.json so an independent numpy script can recompute embeddings.
//
//   npx tsx tools/make-tiny-encoder.ts <out-dir> [seed]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeededRandom } from "@cftkit/core";
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

export function writeTinyEncoder(dir: string, seed = 0, hidden = 16): TinyEncoderInfo {
  const vocab = [...SPECIALS, ...CHARS, ...CHARS.map((c) => `##${c}`), ...PUNCTUATION];
  const rng = new SeededRandom(seed);
  const embeddings = Float32Array.from({ length: vocab.length * hidden }, () => rng.normal() * 0.5);
  const projection = Float32Array.from({ length: hidden * hidden }, () => rng.normal() / Math.sqrt(hidden));

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
      { opType: "Tanh", input: ["projected"], output: ["last_hidden_state"] },
    ],
    initializer: [
      floatTensor("embeddings", [vocab.length, hidden], embeddings),
      floatTensor("projection", [hidden, hidden], projection),
    ],
    input: [
      {
        name: "input_ids",
        type: {
          tensorType: {
            elemType: onnx.TensorProto.DataType.INT64,
            shape: { dim: [{ dimParam: "batch" }, { dimParam: "sequence" }] },
          },
        },
      },
    ],
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
    JSON.stringify({ vocab, hidden, embeddings: Array.from(embeddings), projection: Array.from(projection) }),
  );
  return { dir, vocab, hidden };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: tsx tools/make-tiny-encoder.ts <out-dir> [seed]");
    process.exit(2);
  }
  writeTinyEncoder(out, Number(process.argv[3] ?? 0));
  console.log(`wrote ${out}`);
}
