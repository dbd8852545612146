/**
 * Error codes thrown by @cftkit/similarity, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const SIMILARITY_ERROR_CODES = {
  ACTIVATIONS_BAD_SHAPE: "an activation tensor is not [samples, hidden_size]",
  ACTIVATIONS_EMPTY: "an activation file has no layer tensors",
  DES_EMPTY_SET: "a data set to embed is empty",
  DRIFT_DIM_MISMATCH: "two activation sets have different widths",
  DRIFT_LAYER_MISMATCH: "two activation files have different layers",
  DRIFT_SAMPLE_MISMATCH: "two activation files have different sample counts",
  DRIFT_TOO_FEW_SAMPLES: "a covariance needs at least 2 samples",
  ENCODER_UNAVAILABLE: "the sentence encoder cannot be loaded",
  MPD_SHAPE_MISMATCH: "a tensor has different shapes in the model and the base",
  MPD_TENSOR_SET_MISMATCH: "the model and the base hold different tensors",
  MPD_NO_REFERENCE: "no reference model is given (--reference, or its alias --base)",
  MPD_REFERENCE_TWICE: "--reference and its alias --base name different models",
  PROJECTION_TOO_FEW_POINTS: "a 2-D projection needs at least 3 points",
  ENCODER_BAD_FOLDER: "a sentence-transformers model folder is incomplete or malformed",
  ENCODER_UNSUPPORTED_MODULE: "a sentence-transformers module type is not supported",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof SIMILARITY_ERROR_CODES, string> {}
}
