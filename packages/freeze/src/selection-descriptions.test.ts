import { describe, expect, it } from "vitest";
import type { LayerDiffResult } from "./layer-diff.js";
import type { RandomLayersResult } from "./random-layers.js";
import {
  describeLayerDiff,
  describeRandomLayers,
  describeSpectrum,
  describeSpectrumScan,
} from "./selection-descriptions.js";
import type { SpectrumResult } from "./spectrum.js";

const q = (layer: number) => `model.layers.${layer}.self_attn.q_proj`;
const yaml = "unfrozen_parameters:\n- model.layers.1.self_attn.q_proj\n";
const selection = { unfrozen_parameters: [q(1)], groups: [], yaml, files: {} };

describe("selection descriptions", () => {
  it("Spectrum: a row per module with its shape, SNR and the top mark, the YAML, then the files written", () => {
    const module = (layer: number) => ({
      module: q(layer),
      type: "self_attn.q_proj",
      layer,
      rows: 4,
      cols: 2,
      parts: { signal: 1, noise: 1, noiseCount: 1, sMax: 1, threshold: 1, sigma: 1 },
      cached: false,
    });
    const result: SpectrumResult = {
      ...selection,
      snr: { [q(0)]: 0.5, [q(1)]: 2 },
      types: {},
      selected: { "self_attn.q_proj": [q(1)] },
      frozen: [],
      mode: "unfreeze-top",
      topPercent: 50,
      files: { snrResults: "out/snr.json", yaml: "out/top.yaml" },
      modules: [module(0), module(1)],
      seconds: 1.25,
    };
    expect(describeSpectrum(result)).toEqual([
      "module                           type              shape  snr",
      "-------------------------------  ----------------  -----  --------  ---",
      "model.layers.0.self_attn.q_proj  self_attn.q_proj  4×2    0.500000",
      "model.layers.1.self_attn.q_proj  self_attn.q_proj  4×2    2.00000   top",
      "",
      "unfrozen_parameters:",
      "- model.layers.1.self_attn.q_proj",
      "wrote out/snr.json and out/top.yaml",
    ]);
    result.modules[1]!.cached = true;
    expect(describeSpectrumScan(result)).toBe("scanned 2 modules (1 from cache) in 1.3 s");
  });

  it("LF_H2: each module's change and relative change, frozen marked, then the YAML", () => {
    const result: LayerDiffResult = {
      ...selection,
      scores: { [q(0)]: 3, [q(1)]: 0.25 },
      relative_change: { [q(0)]: 0.1, [q(1)]: 0.01 },
      frozen: [q(0)],
      types: ["self_attn.q_proj"],
      top_k: 1,
      effective_top_k: { "self_attn.q_proj": 1 },
      notes: [],
    };
    expect(describeLayerDiff(result)).toEqual([
      "module                           ||ΔW||_F  relative",
      "-------------------------------  --------  --------  ------",
      "model.layers.0.self_attn.q_proj  3.00000   0.1000    frozen",
      "model.layers.1.self_attn.q_proj  0.250000  0.01000",
      "",
      "unfrozen_parameters:",
      "- model.layers.1.self_attn.q_proj",
    ]);
  });

  it("LF_H1: the frozen layers and the seed, then the YAML", () => {
    const result: RandomLayersResult = {
      ...selection,
      scores: {},
      frozen: [],
      layers: [0, 2],
      seed: 7,
      k: 2,
    };
    expect(describeRandomLayers(result)).toEqual([
      "frozen layers (seed 7): 0, 2",
      "",
      "unfrozen_parameters:",
      "- model.layers.1.self_attn.q_proj",
    ]);
  });
});
