/** A Hugging Face parameter name taken apart the way Spectrum groups modules. */
export interface ParsedParameterName {
  /** The full parameter name as given, e.g. `model.layers.6.mlp.down_proj.weight`. */
  name: string;
  /** The module the parameter belongs to: the name without its last part (`.weight`, `.bias`, `.inv_freq`). */
  module: string;
  /** Decoder layer index, or null outside the layer stack (`lm_head`, `model.embed_tokens`, `model.norm`). */
  layer: number | null;
  /**
   * Spectrum's module type: the module name after its first all-digit part (`self_attn.q_proj`, `mlp.down_proj`,
   * `input_layernorm`); a module name without a digit part is its own type (`lm_head`, `model.embed_tokens`).
   */
  moduleType: string;
  kind: "weight" | "bias" | "other";
}

const LAYER_CONTAINERS = new Set(["layers", "h", "blocks", "layer", "block"]);
const ALL_DIGITS = /^\d+$/;

/**
 * Parse a parameter name of a Llama / Mistral / Qwen2 / Gemma (or GPT-2-style `transformer.h.N`) checkpoint.
 *
 * - `model.layers.3.self_attn.q_proj.weight` → layer 3, moduleType `self_attn.q_proj`, kind weight
 * - `model.layers.0.post_feedforward_layernorm.weight` (Gemma 2) → layer 0, `post_feedforward_layernorm`
 * - `lm_head.weight` → layer null, `lm_head`; `model.norm.weight` → `model.norm`
 */
export function parseParameterName(name: string): ParsedParameterName {
  const parts = name.split(".");
  const last = parts[parts.length - 1];
  let kind: ParsedParameterName["kind"] = "other";
  let moduleParts = parts;
  if (parts.length > 1) {
    // `.weight` / `.bias`, or a buffer such as `rotary_emb.inv_freq`: the module is everything before it.
    if (last === "weight" || last === "bias") kind = last;
    moduleParts = parts.slice(0, -1);
  }
  const module = moduleParts.join(".");
  // Spectrum: the type is what follows the first all-digit part of the module name.
  const firstDigit = moduleParts.findIndex((p) => ALL_DIGITS.test(p));
  const moduleType = firstDigit === -1 ? module : moduleParts.slice(firstDigit + 1).join(".") || module;
  // Layer index: the first all-digit part right after a layer container (`layers`, `h`, `blocks`), else the
  // first all-digit part at all.
  let layerPart = moduleParts.findIndex(
    (p, i) => i > 0 && ALL_DIGITS.test(p) && LAYER_CONTAINERS.has(moduleParts[i - 1]!),
  );
  if (layerPart === -1) layerPart = firstDigit;
  const layer = layerPart === -1 ? null : Number(moduleParts[layerPart]);
  return { name, module, layer, moduleType, kind };
}
