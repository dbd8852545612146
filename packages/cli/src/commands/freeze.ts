import { join } from "node:path";
import {
  DEFAULT_DIFF_TYPES,
  DEFAULT_SPECTRUM_TYPES,
  describeLayerDiff,
  describeRandomLayers,
  describeSpectrum,
  layerDiff,
  layerDiffDocument,
  layerDiffOptionsSchema,
  parseTypes,
  randomLayers,
  randomLayersDocument,
  randomLayersOptionsSchema,
  spectrum,
  spectrumDocument,
  spectrumOptionsSchema,
  writeSelectionFiles,
} from "@cftkit/freeze";
import { log, printResult, progress } from "../cli-output.js";
import { defineCommand, flag, param, text } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

const LF_H2_FILES = "unfrozen_parameters_lf_h2";
const LF_H1_FILES = "unfrozen_parameters_lf_h1";

const selectionOut = (fileBase: string) =>
  param("--out <dir>", `write ${fileBase}.yaml and .json there`, text().optional(), {
    path: "output-folder",
    writes: (dir) => [join(dir, `${fileBase}.yaml`), join(dir, `${fileBase}.json`)],
  });

/** The selection's document; with an output folder, its YAML and JSON are written there and named in it. */
async function selectionDocument(out: string | undefined, fileBase: string, yaml: string, doc: object) {
  return { ...doc, files: out ? await writeSelectionFiles(out, fileBase, yaml, doc) : {} };
}

const model = (what: string) =>
  param(what.split(" ")[0]!, what.slice(what.indexOf(" ") + 1), text(), { path: "model" });

const { topPercent, mode, modelName, threads, out, cache } = optionsFrom(spectrumOptionsSchema, {
  topPercent: "P",
  mode: "mode",
  modelName: "name",
  out: "dir",
  cachePath: { flag: "cache", metavar: "file" },
});

const spectrumCommand = defineCommand({
  path: ["freeze", "spectrum"],
  description:
    "Spectrum SNR of every projection, per-type top-percent selection, Axolotl unfrozen_parameters",
  examples: [
    "cftkit freeze spectrum models/phase1 --top-percent 50 --mode freeze-top --out selections/   # the paper's Spectrum",
  ],
  args: { modelDir: model("<model-dir> safetensors file or Hugging Face model folder") },
  options: {
    topPercent,
    mode,
    types: param(
      "--types <list>",
      `module types, comma-separated; shorthands q,k,v,o,gate,up,down (default: ${DEFAULT_SPECTRUM_TYPES.join(",")})`,
      text().optional(),
    ),
    out,
    cache,
    modelName,
    threads,
    legacyInfinity: param(
      "--legacy-infinity",
      "old Spectrum rule: no singular value at or below the threshold gives Infinity (not signal/1)",
      flag(),
    ),
  },
  async run(options) {
    const { topPercent, mode, threads } = options;
    const started = Date.now();
    const result = await spectrum(options.modelDir, {
      topPercent,
      mode,
      types: parseTypes(options.types, DEFAULT_SPECTRUM_TYPES),
      out: options.out,
      cachePath: options.cache,
      modelName: options.modelName,
      noiseEmpty: options.legacyInfinity ? "infinity" : "one",
      threads,
      progress: progress(options),
    });
    const cached = result.modules.filter((m) => m.cached).length;
    log(
      options,
      `scanned ${result.modules.length} modules (${cached} from cache) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    printResult(options, spectrumDocument(result), () => describeSpectrum(result));
  },
});

const diff = defineCommand({
  path: ["freeze", "diff"],
  description: "LF_H2: freeze the top-K most-changed modules per type between a base and a tuned checkpoint",
  examples: ["cftkit freeze diff models/base runs/phase1/model --top-k 2 --out selections/"],
  args: {
    baseDir: model("<base-dir> base model (safetensors file or folder)"),
    tunedDir: model("<tuned-dir> phase-1 model of the same architecture"),
  },
  options: {
    ...optionsFrom(layerDiffOptionsSchema, { topK: "K" }),
    types: param(
      "--types <list>",
      `module types (default: ${DEFAULT_DIFF_TYPES.join(",")}); shorthands q,k,v,o,gate,up,down`,
      text().optional(),
    ),
    out: selectionOut(LF_H2_FILES),
  },
  async run(options) {
    const { topK } = options;
    const result = await layerDiff(options.baseDir, options.tunedDir, {
      topK,
      types: parseTypes(options.types, DEFAULT_DIFF_TYPES),
      progress: progress(options),
    });
    const doc = await selectionDocument(
      options.out,
      LF_H2_FILES,
      result.yaml,
      layerDiffDocument(result, topK),
    );
    printResult(options, doc, () => describeLayerDiff(result));
    if (!options.json) for (const note of result.notes) log(options, `note: ${note}`);
  },
});

const random = defineCommand({
  path: ["freeze", "random"],
  description: "LF_H1: freeze K decoder layers drawn at random (seeded)",
  examples: ["cftkit freeze random models/tiny --k 1 --seed 0 --out selections/"],
  args: { modelDir: model("<model-dir> safetensors file or folder") },
  options: {
    ...optionsFrom(randomLayersOptionsSchema, { k: "K", seed: "S" }),
    out: selectionOut(LF_H1_FILES),
  },
  async run(options) {
    const { k, seed } = options;
    const result = await randomLayers(options.modelDir, { k, seed });
    const doc = await selectionDocument(options.out, LF_H1_FILES, result.yaml, randomLayersDocument(result));
    printResult(options, doc, () => describeRandomLayers(result));
  },
});

/** `cftkit freeze spectrum|diff|random`: layer selection for the layer-freezing mitigations (Axolotl-ready output). */
export const freezeCommands = [spectrumCommand, diff, random];
