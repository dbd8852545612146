import {
  describeLayerDiff,
  describeRandomLayers,
  describeSpectrum,
  describeSpectrumScan,
  layerDiff,
  layerDiffDocument,
  layerDiffOptionsSchema,
  randomLayers,
  randomLayersDocument,
  randomLayersOptionsSchema,
  spectrum,
  spectrumDocument,
  spectrumOptionsSchema,
} from "@cftkit/freeze";
import { log, printResult, progress } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

const spectrumCommand = defineCommand({
  path: ["freeze", "spectrum"],
  description:
    "Spectrum SNR of every projection, per-type top-percent selection, Axolotl unfrozen_parameters",
  examples: [
    "cftkit freeze spectrum models/phase1 --top-percent 50 --mode freeze-top --out selections/   # the paper's Spectrum",
  ],
  args: { modelDir: pathParam("<model-dir>", "safetensors file or Hugging Face model folder", "model") },
  options: optionsFrom(spectrumOptionsSchema, {
    topPercent: "P",
    mode: "mode",
    out: "dir",
    cachePath: { flag: "cache", metavar: "file" },
    modelName: "name",
  }),
  async run(options) {
    const result = await spectrum(options.modelDir, {
      ...options,
      cachePath: options.cache,
      progress: progress(options),
    });
    log(options, describeSpectrumScan(result));
    printResult(options, spectrumDocument(result), () => describeSpectrum(result));
  },
});

const diff = defineCommand({
  path: ["freeze", "diff"],
  description: "LF_H2: freeze the top-K most-changed modules per type between a base and a tuned checkpoint",
  examples: ["cftkit freeze diff models/base runs/phase1/model --top-k 2 --out selections/"],
  args: {
    baseDir: pathParam("<base-dir>", "base model (safetensors file or folder)", "model"),
    tunedDir: pathParam("<tuned-dir>", "phase-1 model of the same architecture", "model"),
  },
  options: optionsFrom(layerDiffOptionsSchema, { topK: "K", out: "dir" }),
  async run(options) {
    const result = await layerDiff(options.baseDir, options.tunedDir, {
      ...options,
      progress: progress(options),
    });
    printResult(options, layerDiffDocument(result, options.topK), () => describeLayerDiff(result));
    if (!options.json) for (const note of result.notes) log(options, `note: ${note}`);
  },
});

const random = defineCommand({
  path: ["freeze", "random"],
  description: "LF_H1: freeze K decoder layers drawn at random (seeded)",
  examples: ["cftkit freeze random models/tiny --k 1 --seed 0 --out selections/"],
  args: { modelDir: pathParam("<model-dir>", "safetensors file or folder", "model") },
  options: optionsFrom(randomLayersOptionsSchema, { k: "K", seed: "S", out: "dir" }),
  async run(options) {
    const result = await randomLayers(options.modelDir, options);
    printResult(options, randomLayersDocument(result), () => describeRandomLayers(result));
  },
});

/** `cftkit freeze spectrum|diff|random`: layer selection for the layer-freezing mitigations (Axolotl-ready output). */
export const freezeCommands = [spectrumCommand, diff, random];
