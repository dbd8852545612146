/**
 * Error codes thrown by @cftkit/lm, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const LM_ERROR_CODES = {
  LM_BAD_CHECKPOINT: "a training checkpoint's optimizer state is malformed",
  LM_BAD_INPUT: "a prompt encodes to zero tokens",
  LM_BAD_LABEL: "a label id is outside the vocabulary",
  LM_BAD_LORA_OPTIONS: "LoRA options are out of range",
  LM_BAD_LR_SCHEDULER: "the learning-rate scheduler is unknown",
  LM_BAD_OPTIMIZER_STATE: "the optimizer state does not match a parameter",
  LM_BAD_TOKEN_ID: "a token id is outside the vocabulary",
  LM_BAD_TRAINING_EXAMPLE: "a training example has no messages or no assistant turn",
  LM_BAD_TRAIN_OPTIONS: "training options are out of range",
  LM_BAD_UNFROZEN_PATTERN: "an unfrozen_parameters pattern is not a valid regular expression",
  LM_CHAT_TEMPLATE_NOT_INCREMENTAL: "the chat template does not render conversations incrementally",
  LM_CONFIG_BAD_VALUE: "a config.json value is out of range",
  LM_CONFIG_INVALID: "config.json is not a JSON object",
  LM_CONFIG_MISSING_KEY: "config.json lacks a required key",
  LM_CONFIG_NOT_FOUND: "config.json cannot be read",
  LM_DISPOSED: "the model was used after dispose()",
  LM_LORA_BAD_ADAPTER: "adapter tensors are missing or have the wrong size",
  LM_LORA_NO_TARGETS: "the LoRA target modules match no linear layer",
  LM_LORA_WITH_UNFROZEN: "LoRA and unfrozen parameters were combined",
  LM_MISSING_PARAMETER: "the model has no parameter of that name",
  LM_MISSING_TENSOR: "a parameter is not loaded",
  LM_NOTHING_TO_TRAIN: "the unfrozen parameters match no parameter",
  LM_NO_CHAT_TEMPLATE: "chat messages need a chat template the tokenizer lacks",
  LM_NO_TOKENIZER: "the model folder has no tokenizer",
  LM_NO_TRAINING_DATA: "the training set is empty",
  LM_RESUME_MISMATCH: "a checkpoint was written with other options or data",
  LM_SHAPE_MISMATCH: "the tokenizer and config.json disagree on the vocabulary size",
  LM_TOKENIZER_INVALID: "the tokenizer files cannot be loaded",
  LM_TOKENIZER_NOT_FOUND: "the folder has no tokenizer.json or tokenizer_config.json",
  LM_UNFROZEN_RANGE_UNSUPPORTED: "a pattern unfreezes a row range, which the embedded trainer cannot",
  LM_UNKNOWN_PRESET: "the model preset is unknown",
  LM_UNSUPPORTED_ARCHITECTURE: "the model architecture is not supported",
  LM_UNSUPPORTED_ROPE_SCALING: "the rope_scaling type is not supported",
  LM_WEIGHT_DTYPE: "a weight has a dtype other than F32, BF16 or F16",
  LM_TRAIN_BAD_ROW: "a training data row is malformed",
  LM_TRAIN_DATA_UNREADABLE: "a training data file cannot be read",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof LM_ERROR_CODES, string> {}
}
