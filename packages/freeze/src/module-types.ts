import { CftkitError } from "@cftkit/core";
import { DECODER_LINEAR_MODULES } from "@cftkit/safetensors";
import { z } from "zod";

/** Default Spectrum scan: every attention and MLP projection. */
export const DEFAULT_SPECTRUM_TYPES = DECODER_LINEAR_MODULES;

/** Default LF_H2 types: the paper picks the most-changed layers separately for q, k and v. */
export const DEFAULT_DIFF_TYPES = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"] as const;

const SHORT_NAMES: Record<string, string> = {
  q: "self_attn.q_proj",
  k: "self_attn.k_proj",
  v: "self_attn.v_proj",
  o: "self_attn.o_proj",
  gate: "mlp.gate_proj",
  up: "mlp.up_proj",
  down: "mlp.down_proj",
};

/** Expands a `--types` list: `q,k,v,o,gate,up,down` shorthands or full module types (`input_layernorm`). */
export function parseTypes(
  spec: string | readonly string[] | undefined,
  defaults: readonly string[],
): string[] {
  if (spec === undefined) return [...defaults];
  const items = (typeof spec === "string" ? spec.split(",") : [...spec])
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new CftkitError("FREEZE_BAD_TYPES", "--types is empty", { exitCode: 2 });
  return [...new Set(items.map((s) => SHORT_NAMES[s] ?? s))];
}

/**
 * The `types` option of spectrum() and layerDiff(): full module types or the shorthands above (parseTypes
 * expands them); `defaults` when left out.
 */
export function moduleTypesSchema(defaults: readonly string[]) {
  return z
    .array(z.string().min(1))
    .min(1)
    .default([...defaults])
    .describe("module types, comma-separated; shorthands q,k,v,o,gate,up,down");
}

/** Spectrum's order of module types: by category (the part before the first dot), then by name. */
export function sortTypes(types: Iterable<string>): string[] {
  return [...new Set(types)].sort((a, b) => {
    const ca = a.split(".")[0];
    const cb = b.split(".")[0];
    if (ca !== cb) return ca < cb ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Spectrum's slug of a model name: `/` and `_` become `-`. */
export function modelSlug(name: string): string {
  return name.replaceAll("/", "-").replaceAll("_", "-");
}
