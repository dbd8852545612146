import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import type { LayerDiffResult } from "./layer-diff.js";
import type { RandomLayersResult } from "./random-layers.js";
import type { SpectrumResult } from "./spectrum.js";
import { finiteForJson, INFINITY_ENCODING } from "./spectrum-snr.js";

/**
 * The JSON documents of the three selections, as `cftkit freeze … --json` prints them and their .json files
 * hold them (non-finite scores encoded as INFINITY_ENCODING says).
 */

function finiteRecord(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, finiteForJson(v)]));
}

export function spectrumDocument(result: SpectrumResult) {
  return {
    snr: finiteRecord(result.snr),
    unfrozen_parameters: result.unfrozen_parameters,
    mode: result.mode,
    top_percent: result.topPercent,
    selected: result.selected,
    frozen: result.frozen,
    types: result.types,
    files: result.files,
    infinity_encoding: INFINITY_ENCODING,
  };
}

/** LF_H2; `topK` is the K asked for. */
export function layerDiffDocument(result: LayerDiffResult, topK: number) {
  return {
    scores: result.scores,
    relative_change: finiteRecord(result.relative_change),
    frozen: result.frozen,
    unfrozen_parameters: result.unfrozen_parameters,
    types: result.types,
    top_k: topK,
    effective_top_k: result.effective_top_k,
    notes: result.notes,
  };
}

/** LF_H1. */
export function randomLayersDocument(result: RandomLayersResult) {
  return {
    scores: result.scores,
    frozen: result.frozen,
    unfrozen_parameters: result.unfrozen_parameters,
    layers: result.layers,
    k: result.k,
    seed: result.seed,
  };
}

/** Write `<out>/<fileBase>.yaml` (Axolotl's unfrozen_parameters) and `.json` (the document); their paths. */
export async function writeSelectionFiles(
  out: string,
  fileBase: string,
  yaml: string,
  document: unknown,
): Promise<{ yaml: string; json: string }> {
  const yamlPath = join(out, `${fileBase}.yaml`);
  const jsonPath = join(out, `${fileBase}.json`);
  await writeFileAtomic(yamlPath, yaml);
  await writeFileAtomic(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
  return { yaml: yamlPath, json: jsonPath };
}
