import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BYTE_LEVEL_IDS, byteLevelTokenizerFiles, bytesToUnicode } from "./byte-level-tokenizer.js";
import { parseModelConfig } from "./model-config.js";
import { loadTokenizer } from "./tokenizer.js";

describe("byte-level tokenizer written as HF tokenizer.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-tok-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokenizerConfig));

  it("loads through transformers.js AutoTokenizer and encodes every UTF-8 byte as its own id", async () => {
    const tok = await loadTokenizer(dir);
    const text = "Hello, wörld! 日本語 — ok\n\ttabs  ";
    const bytes = [...new TextEncoder().encode(text)];
    expect(tok.encode(text, { addSpecialTokens: false })).toEqual(bytes);
    expect(tok.encode(text)).toEqual([BYTE_LEVEL_IDS.bos, ...bytes]);
    expect(tok.decode(tok.encode(text), { skipSpecialTokens: true })).toBe(text);
    expect(tok.vocabSize).toBe(260);
    expect(tok.bosTokenId).toBe(256);
    expect(tok.eosTokenId).toBe(257);
  });

  it("has a chat template that renders ChatML turns and special tokens encode to single ids", async () => {
    const tok = await loadTokenizer(dir);
    const text = tok.applyChatTemplate(
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      { addGenerationPrompt: true },
    );
    expect(text).toBe(
      "<|begin_of_text|><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
    const ids = tok.encode(text, { addSpecialTokens: false });
    expect(ids[0]).toBe(256);
    expect(ids[1]).toBe(258);
    expect(ids.filter((i) => i === BYTE_LEVEL_IDS.imEnd).length).toBe(2);
  });

  it("a tokenizer without chat_template gives LM_NO_CHAT_TEMPLATE when chat is needed", async () => {
    const d2 = join(dir, "nochat");
    const { chat_template: _c, ...rest } = tokenizerConfig;
    const { mkdirSync } = await import("node:fs");
    mkdirSync(d2);
    writeFileSync(join(d2, "tokenizer.json"), JSON.stringify(tokenizerJson));
    writeFileSync(join(d2, "tokenizer_config.json"), JSON.stringify(rest));
    const tok = await loadTokenizer(d2);
    expect(tok.hasChatTemplate).toBe(false);
    expect(() => tok.applyChatTemplate([{ role: "user", content: "x" }])).toThrow(
      expect.objectContaining({ code: "LM_NO_CHAT_TEMPLATE" }),
    );
    await expect(loadTokenizer(join(dir, "missing"))).rejects.toMatchObject({
      code: "LM_TOKENIZER_NOT_FOUND",
    });
  });

  it("uses GPT-2's byte table (printable bytes map to themselves)", () => {
    const t = bytesToUnicode();
    expect(t["A".charCodeAt(0)]).toBe("A");
    expect(t[32]).toBe("Ġ");
    expect(t[10]).toBe("Ċ");
    expect(new Set(t).size).toBe(256);
  });
});

describe("parseModelConfig", () => {
  const base = {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    vocab_size: 100,
  };
  it("fills HF defaults and reads Qwen2 biases", () => {
    const c = parseModelConfig(base);
    expect(c.numKeyValueHeads).toBe(4);
    expect(c.headDim).toBe(16);
    expect(c.qkvBias).toBe(false);
    const q = parseModelConfig({
      ...base,
      architectures: ["Qwen2ForCausalLM"],
      model_type: "qwen2",
      tie_word_embeddings: true,
    });
    expect(q.qkvBias).toBe(true);
    expect(q.oBias).toBe(false);
    expect(q.tieWordEmbeddings).toBe(true);
    const l3 = parseModelConfig({
      ...base,
      rope_scaling: {
        rope_type: "llama3",
        factor: 8,
        low_freq_factor: 1,
        high_freq_factor: 4,
        original_max_position_embeddings: 8192,
      },
    });
    expect(l3.ropeScaling?.type).toBe("llama3");
  });
  it("rejects bad configs with typed codes", () => {
    const codeOf = (raw: unknown) => {
      try {
        parseModelConfig(raw);
        return "ok";
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    const { vocab_size: _v, ...noVocab } = base;
    expect(codeOf(noVocab)).toBe("LM_CONFIG_MISSING_KEY");
    expect(codeOf({ ...base, architectures: ["BertModel"] })).toBe("LM_UNSUPPORTED_ARCHITECTURE");
    expect(codeOf({ ...base, num_key_value_heads: 3 })).toBe("LM_CONFIG_BAD_VALUE");
    expect(codeOf({ ...base, hidden_size: "64" })).toBe("LM_CONFIG_BAD_VALUE");
    expect(codeOf({ ...base, rope_scaling: { rope_type: "yarn", factor: 4 } })).toBe(
      "LM_UNSUPPORTED_ROPE_SCALING",
    );
    expect(codeOf({ ...base, rope_scaling: { rope_type: "llama3", factor: 8 } })).toBe(
      "LM_CONFIG_MISSING_KEY",
    );
    expect(codeOf({ ...base, hidden_act: "gelu" })).toBe("LM_CONFIG_BAD_VALUE");
  });
});
