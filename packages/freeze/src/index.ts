export { singularValues, type SingularValueOptions } from "./linalg/singular-values.js";
export { SingularValuePool } from "./linalg/worker-pool.js";
export { OrtKernels } from "./linalg/ort-kernels.js";
export { spectrumSnr, finiteForJson, INFINITY_ENCODING, type NoiseEmptyRule } from "./spectrum-snr.js";
export { scanSpectrum, type ScannedModule, type ScanOptions } from "./spectrum-scan.js";
export { spectrum, type SpectrumOptions, type SpectrumResult, type SpectrumMode } from "./spectrum.js";
export { SPECTRUM_MODES, requireSpectrumMode } from "./spectrum.js";
export {
  layerDiff,
  frobeniusDiff,
  type LayerDiffOptions,
  type LayerDiffResult,
  type FreezeSelection,
} from "./layer-diff.js";
export { randomLayers, type RandomLayersResult } from "./random-layers.js";
export { selectTop, type ScoredModule } from "./select-top.js";
export {
  matchesUnfrozen,
  unfrozenNames,
  compileAxolotlPattern,
  exactPattern,
  patternsTraining,
  renderUnfrozenYaml,
  type PatternGroup,
} from "./unfrozen-patterns.js";
export {
  DEFAULT_SPECTRUM_TYPES,
  DEFAULT_DIFF_TYPES,
  parseTypes,
  sortTypes,
  modelSlug,
  moduleTypesSchema,
} from "./module-types.js";
export { SnrCache, type SnrCacheEntry } from "./snr-cache.js";
export { FREEZE_ERROR_CODES } from "./error-codes.js";
export {
  layerDiffDocument,
  randomLayersDocument,
  spectrumDocument,
  writeSelectionFiles,
  selectionFilePaths,
  LF_H1_FILES,
  LF_H2_FILES,
} from "./selection-documents.js";
export { spectrumOptionsSchema } from "./spectrum.js";
export { layerDiffOptionsSchema } from "./layer-diff.js";
export { randomLayersOptionsSchema } from "./random-layers.js";
export {
  describeLayerDiff,
  describeRandomLayers,
  describeSpectrum,
  describeSpectrumScan,
} from "./selection-descriptions.js";
