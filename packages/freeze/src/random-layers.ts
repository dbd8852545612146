import { CftkitError, checkOptions, SeededRandom } from "@cftkit/core";
import { parseParameterName, SafetensorsCheckpoint } from "@cftkit/safetensors";
import { z } from "zod";
import type { FreezeSelection } from "./layer-diff.js";
import {
  LF_H1_FILES,
  selectionOutSchema,
  randomLayersDocument,
  writeSelectionFiles,
} from "./selection-documents.js";
import { patternsTraining, renderUnfrozenYaml } from "./unfrozen-patterns.js";

/** The options of randomLayers (the CLI's `freeze random` flags are built from it); randomLayers() checks them. */
export const randomLayersOptionsSchema = z.object({
  k: z.uint32().describe("number of decoder layers to freeze"),
  seed: z.uint32().describe("random seed (recorded in the output)"),
  out: selectionOutSchema(LF_H1_FILES),
});

export interface RandomLayersResult extends FreezeSelection {
  /** The frozen decoder layer indices, ascending. */
  layers: number[];
  seed: number;
  k: number;
}

/**
 * LF_H1: freeze K decoder layers drawn uniformly without replacement (SeededRandom(seed).sample), i.e. every
 * parameter of `model.layers.<i>`; everything else trains. `scores` maps each frozen layer's module to its
 * draw position (1 = first drawn). With `out`, the selection's YAML and JSON are written there.
 */
export async function randomLayers(
  modelPath: string,
  options: { k: number; seed: number; out?: string },
): Promise<RandomLayersResult> {
  const checkpoint = await SafetensorsCheckpoint.open(modelPath);
  const names = checkpoint.tensors.map((t) => t.name);
  await checkpoint.close();
  const parsed = names.map(parseParameterName);
  const layerSet = [...new Set(parsed.map((p) => p.layer).filter((l): l is number => l !== null))].sort(
    (a, b) => a - b,
  );
  if (!Number.isInteger(options.k) || options.k < 0 || options.k > layerSet.length) {
    throw new CftkitError(
      "FREEZE_BAD_K",
      `--k must be an integer in 0..${layerSet.length} (the model has ${layerSet.length} decoder layers), got ${options.k}`,
      {
        exitCode: 2,
      },
    );
  }
  checkOptions(randomLayersOptionsSchema, options, "FREEZE_BAD_OPTION");
  const drawn = new SeededRandom(options.seed).sample(layerSet, options.k);
  const layers = [...drawn].sort((a, b) => a - b);
  const frozenLayerSet = new Set(layers);
  const frozen: string[] = [];
  const scores: Record<string, number> = {};
  for (const p of parsed) {
    if (p.layer !== null && frozenLayerSet.has(p.layer) && !scores[p.module]) {
      frozen.push(p.module);
      scores[p.module] = drawn.indexOf(p.layer) + 1;
    }
  }
  const groups = patternsTraining(names, new Set(frozen));
  const result: RandomLayersResult = {
    scores,
    frozen,
    unfrozen_parameters: groups.flatMap((g) => g.patterns),
    groups,
    yaml: renderUnfrozenYaml(groups),
    layers,
    seed: options.seed,
    k: options.k,
    files: {},
  };
  if (options.out) {
    const document = randomLayersDocument(result);
    result.files = await writeSelectionFiles(options.out, LF_H1_FILES, result.yaml, document);
  }
  return result;
}
