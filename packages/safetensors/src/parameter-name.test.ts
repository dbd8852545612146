import { describe, expect, it } from "vitest";
import { parseParameterName } from "./index.js";

// Expected module types follow Spectrum's rule (spectrum.py): the module name after its first all-digit part,
// or the whole module name when it has none.
const cases: [string, number | null, string, "weight" | "bias" | "other"][] = [
  // Llama / Mistral
  ["model.embed_tokens.weight", null, "model.embed_tokens", "weight"],
  ["model.layers.0.self_attn.q_proj.weight", 0, "self_attn.q_proj", "weight"],
  ["model.layers.31.self_attn.o_proj.weight", 31, "self_attn.o_proj", "weight"],
  ["model.layers.6.mlp.down_proj.weight", 6, "mlp.down_proj", "weight"],
  ["model.layers.12.input_layernorm.weight", 12, "input_layernorm", "weight"],
  ["model.layers.12.post_attention_layernorm.weight", 12, "post_attention_layernorm", "weight"],
  ["model.norm.weight", null, "model.norm", "weight"],
  ["lm_head.weight", null, "lm_head", "weight"],
  ["model.layers.3.self_attn.rotary_emb.inv_freq", 3, "self_attn.rotary_emb", "other"],
  // Qwen2 (biases on q/k/v)
  ["model.layers.2.self_attn.k_proj.bias", 2, "self_attn.k_proj", "bias"],
  ["model.layers.2.mlp.gate_proj.weight", 2, "mlp.gate_proj", "weight"],
  // Gemma / Gemma 2
  ["model.layers.5.pre_feedforward_layernorm.weight", 5, "pre_feedforward_layernorm", "weight"],
  ["model.layers.5.post_feedforward_layernorm.weight", 5, "post_feedforward_layernorm", "weight"],
  ["model.layers.10.mlp.up_proj.weight", 10, "mlp.up_proj", "weight"],
  // GPT-2 style and Mixtral experts
  ["transformer.h.7.attn.c_attn.weight", 7, "attn.c_attn", "weight"],
  ["model.layers.1.block_sparse_moe.experts.3.w1.weight", 1, "block_sparse_moe.experts.3.w1", "weight"],
];

describe("parseParameterName", () => {
  for (const [name, layer, moduleType, kind] of cases) {
    it(name, () => {
      const parsed = parseParameterName(name);
      expect(parsed).toMatchObject({ name, layer, moduleType, kind });
      expect(parsed.module).toBe(
        kind === "other" ? name.split(".").slice(0, -1).join(".") : name.replace(/\.(weight|bias)$/, ""),
      );
    });
  }
  it("keeps a name without a dot as its own module", () => {
    expect(parseParameterName("weight")).toMatchObject({
      module: "weight",
      layer: null,
      moduleType: "weight",
      kind: "other",
    });
  });
});
