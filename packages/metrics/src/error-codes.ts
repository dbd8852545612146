/**
 * Error codes thrown by @cftkit/metrics, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const METRICS_ERROR_CODES = {
  IFEVAL_BAD_INPUT: "an IFEval input row is malformed",
  IFEVAL_BAD_KWARGS: "an IFEval instruction has a malformed keyword argument",
  IFEVAL_BAD_RESPONSES: "an IFEval responses row is malformed",
  IFEVAL_MISSING_RESPONSE: "an IFEval prompt has no response",
  IFEVAL_UNKNOWN_INSTRUCTION: "an IFEval instruction id is not implemented",
  LANGUAGE_DETECTOR_NOT_SET:
    "no language detector is registered (import @cftkit/metrics or @cftkit/metrics/portable)",
  MC_BAD_GOLD: "a multiple-choice gold index is out of range",
  MC_BAD_ITEM: "a multiple-choice item has not one score per choice",
  MC_EMPTY: "no multiple-choice items to score",
  MLQA_UNKNOWN_LANGUAGE: "the MLQA scorer does not know the language",
  PPL_BAD_LOGPROB: "a log-likelihood is not finite or is positive",
  PPL_EMPTY: "no record has a scored token",
  PUNKT_BAD_TABLE: "a Punkt table line is malformed",
  PUNKT_MISSING_TABLE: "a Punkt table file cannot be read",
  PUNKT_TABLES_NOT_FOUND: "the NLTK Punkt English tables are not found",
  PUNKT_TABLES_NOT_SET: "no English Punkt tables are registered",
  QA_BAD_DATASET: "the QA dataset is not SQuAD v1.1 JSON",
  QA_BAD_PREDICTION: "a QA prediction is not a string",
  QA_EMPTY_DATASET: "the QA dataset has no questions",
  QA_NO_ANSWERS: "a QA question has no gold answers",
  ROUGE_LENGTH_MISMATCH: "predictions and references do not pair up line by line",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof METRICS_ERROR_CODES, string> {}
}
