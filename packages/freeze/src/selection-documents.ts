import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import { z } from "zod";
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

/** LF_H2; `topK` is the K asked for; `files`: where `layerDiff(…, { out })` wrote it (none without `out`). */
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
    files: result.files,
  };
}

/** LF_H1; `files` as for LF_H2. */
export function randomLayersDocument(result: RandomLayersResult) {
  return {
    scores: result.scores,
    frozen: result.frozen,
    unfrozen_parameters: result.unfrozen_parameters,
    layers: result.layers,
    k: result.k,
    seed: result.seed,
    files: result.files,
  };
}

/** The file names (without extension) of the LF_H2 and LF_H1 selections in an output folder. */
export const LF_H2_FILES = "unfrozen_parameters_lf_h2";
export const LF_H1_FILES = "unfrozen_parameters_lf_h1";

/** `<out>/<fileBase>.yaml` and `.json`: the files writeSelectionFiles writes. */
export function selectionFilePaths(out: string, fileBase: string): { yaml: string; json: string } {
  return { yaml: join(out, `${fileBase}.yaml`), json: join(out, `${fileBase}.json`) };
}

/**
 * The `out` option of a selection that writes `<out>/<fileBase>.yaml` and `.json`: an output folder whose two
 * files the CLI's path guard checks too.
 */
export function selectionOutSchema(fileBase: string) {
  return z
    .string()
    .min(1)
    .meta({
      path: "output-folder",
      writes: (dir: string) => Object.values(selectionFilePaths(dir, fileBase)),
    })
    .optional()
    .describe(`write ${fileBase}.yaml and .json there`);
}

/**
 * Write `<out>/<fileBase>.yaml` (Axolotl's unfrozen_parameters) and `.json` (the document, less its `files`,
 * which would only name these two); their paths.
 */
export async function writeSelectionFiles(
  out: string,
  fileBase: string,
  yaml: string,
  document: object,
): Promise<{ yaml: string; json: string }> {
  const paths = selectionFilePaths(out, fileBase);
  const { files: _, ...content } = document as { files?: unknown };
  await writeFileAtomic(paths.yaml, yaml);
  await writeFileAtomic(paths.json, `${JSON.stringify(content, null, 2)}\n`);
  return paths;
}
