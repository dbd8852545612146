import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isCftkitError } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { compileUnfrozenPatterns, partitionParameters } from "./unfrozen-parameters.js";

const script = fileURLToPath(new URL("../../../tools/reference/unfrozen_parameters.py", import.meta.url));

const names: string[] = ["lm_head.weight", "model.embed_tokens.weight", "model.norm.weight"];
for (let l = 0; l < 64; l++) {
  for (const m of [
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "self_attn.o_proj",
    "mlp.down_proj",
    "mlp.up_proj",
    "mlp.gate_proj",
  ]) {
    names.push(`model.layers.${l}.${m}.weight`);
    if (m.startsWith("self_attn") && m !== "self_attn.o_proj") names.push(`model.layers.${l}.${m}.bias`);
  }
  names.push(`model.layers.${l}.input_layernorm.weight`, `model.layers.${l}.post_attention_layernorm.weight`);
}

describe("compileUnfrozenPatterns", () => {
  it("matches Python re.match with literal dots (independent reference)", () => {
    const patternSets = [
      ["model.layers.6.mlp.down_proj"],
      [
        "^lm_head.weight$",
        "^model.embed_tokens.weight$",
        "model.layers.1.self_attn.q_proj",
        "model.layers.10.mlp.up_proj",
      ],
      ["model.layers.2[0-9]+.self_attn", "model.norm"],
      ["model.layers.(3|33).", "lm_head"],
      ["model.layers.\\d+.input_layernorm", "mlp"],
      ["model.layers.5.*"],
      [],
    ];
    for (const patterns of patternSets) {
      const expected = JSON.parse(
        execFileSync("python3", [script], { input: JSON.stringify({ patterns, names }), encoding: "utf8" }),
      ) as boolean[];
      const predicate = compileUnfrozenPatterns(patterns);
      expect(names.map(predicate)).toEqual(expected);
    }
  });

  it("does not unfreeze layer 62 for a layer-6 pattern", () => {
    const p = compileUnfrozenPatterns(["model.layers.6.mlp.down_proj"]);
    expect(p("model.layers.6.mlp.down_proj.weight")).toBe(true);
    expect(p("model.layers.62.mlp.down_proj.weight")).toBe(false);
    expect(p("xmodel.layers.6.mlp.down_proj.weight")).toBe(false);
    const { trainable } = partitionParameters(names, ["^lm_head.weight$"]);
    expect(trainable).toEqual(["lm_head.weight"]);
  });

  it("rejects row-range patterns and invalid regexps with typed errors", () => {
    for (const bad of ["model.embed_tokens.weight[:32000]", "model.layers.(1"]) {
      let caught: unknown;
      try {
        compileUnfrozenPatterns([bad]);
      } catch (e) {
        caught = e;
      }
      expect(isCftkitError(caught)).toBe(true);
    }
  });
});
