/**
 * The tokenizer of fresh `tiny`/`small` models: byte-level BPE with the 256 byte tokens and no merges
 * (every UTF-8 byte is one token), plus four special tokens and a ChatML-style chat template. It is
 * written as a regular HF `tokenizer.json` + `tokenizer_config.json`, so transformers (Python) and
 * transformers.js load it like any other fast tokenizer.
 */
import type { Tokenizer } from "./tokenizer.js";
import { tokenizerFromJson } from "./tokenizer.js";

export const BYTE_LEVEL_SPECIAL_TOKENS = {
  bos: "<|begin_of_text|>",
  eos: "<|end_of_text|>",
  imStart: "<|im_start|>",
  imEnd: "<|im_end|>",
} as const;

export const BYTE_LEVEL_IDS = { bos: 256, eos: 257, imStart: 258, imEnd: 259 } as const;
export const BYTE_LEVEL_VOCAB_SIZE = 260;

/** ChatML-style template; the assistant turn ends with <|im_end|>, which generation stops on. */
export const BYTE_LEVEL_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's reversible byte → printable-unicode-character table (the ByteLevel pre-tokenizer's alphabet). */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const table: string[] = new Array(256);
  for (let i = 0; i < bs.length; i++) table[bs[i]!] = String.fromCodePoint(cs[i]!);
  return table;
}

/** tokenizer.json and tokenizer_config.json of the byte-level tokenizer. */
export function byteLevelTokenizerFiles(): {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
} {
  const table = bytesToUnicode();
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[table[b]!] = b;
  const special = [
    [BYTE_LEVEL_IDS.bos, BYTE_LEVEL_SPECIAL_TOKENS.bos],
    [BYTE_LEVEL_IDS.eos, BYTE_LEVEL_SPECIAL_TOKENS.eos],
    [BYTE_LEVEL_IDS.imStart, BYTE_LEVEL_SPECIAL_TOKENS.imStart],
    [BYTE_LEVEL_IDS.imEnd, BYTE_LEVEL_SPECIAL_TOKENS.imEnd],
  ] as const;
  const addedToken = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bos = BYTE_LEVEL_SPECIAL_TOKENS.bos;
  const tokenizerJson: Record<string, unknown> = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: special.map(([id, content]) => addedToken(id, content)),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [BYTE_LEVEL_IDS.bos], tokens: [bos] } },
    },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const addedTokensDecoder: Record<string, unknown> = {};
  for (const [id, content] of special) {
    const { id: _id, ...rest } = addedToken(id, content);
    addedTokensDecoder[String(id)] = rest;
  }
  const tokenizerConfig: Record<string, unknown> = {
    added_tokens_decoder: addedTokensDecoder,
    bos_token: BYTE_LEVEL_SPECIAL_TOKENS.bos,
    eos_token: BYTE_LEVEL_SPECIAL_TOKENS.eos,
    pad_token: BYTE_LEVEL_SPECIAL_TOKENS.eos,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
    tokenizer_class: "PreTrainedTokenizerFast",
    chat_template: BYTE_LEVEL_CHAT_TEMPLATE,
  };
  return { tokenizerJson, tokenizerConfig };
}

/** The byte-level tokenizer, built through transformers.js from the same JSON that `save` writes. */
export async function byteLevelTokenizer(): Promise<Tokenizer> {
  const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
  return tokenizerFromJson(tokenizerJson, tokenizerConfig, "byte-level tokenizer");
}
