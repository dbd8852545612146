/**
 * Error codes thrown by @cftkit/freeze, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const FREEZE_ERROR_CODES = {
  FREEZE_BAD_K: "the number of random layers is out of range",
  FREEZE_BAD_TOP_K: "--top-k is not a non-negative integer",
  FREEZE_BAD_TYPES: "the module-type list is empty",
  FREEZE_NO_MODULES: "the model has no weights of the requested module types",
  FREEZE_SHAPE_MISMATCH: "a tensor has different shapes in the base and the tuned model",
  FREEZE_SVD_FAILED: "computing a tensor's singular values failed",
  FREEZE_TENSOR_SET_MISMATCH: "the base and the tuned model hold different tensors",
  FREEZE_SPECTRUM_MODE: "the Spectrum mode (freeze-top / unfreeze-top) is missing or unknown",
  FREEZE_BAD_OPTION: "an option is outside what its schema allows (the message names it)",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof FREEZE_ERROR_CODES, string> {}
}
