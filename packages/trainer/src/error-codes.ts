/**
 * Error codes thrown by @cftkit/trainer, each with its one-line meaning. docs/errors.md is generated from the
 * catalogues (`npm run docs:errors`); tools/error-codes.test.ts fails when a source throws an uncatalogued code.
 */
export const TRAINER_ERROR_CODES = {
  AXOLOTL_CONFIG_INVALID: "Axolotl rejected the config",
  AXOLOTL_CUDA_OOM: "Axolotl ran out of GPU memory",
  AXOLOTL_DISTRIBUTED_FAILED: "a distributed (NCCL) collective failed or timed out",
  AXOLOTL_FAILED: "Axolotl exited with an error of no recognised cause",
  AXOLOTL_FILE_NOT_FOUND: "Axolotl did not find a file the config names",
  AXOLOTL_HUB_ACCESS: "the model could not be downloaded from the Hugging Face Hub",
  AXOLOTL_KILLED: "Axolotl was killed by a signal",
  AXOLOTL_NOT_FOUND: "the axolotl executable is not on PATH",
  AXOLOTL_NO_TRAINABLE_PARAMETERS: "the unfrozen_parameters patterns match no parameter",
  AXOLOTL_SPAWN_FAILED: "Axolotl could not be started",
  EXPERIMENT_INVALID: "the experiment file does not fit the schema",
  EXPERIMENT_NOT_READABLE: "the experiment file cannot be read or parsed",
  TRAIN_AXOLOTL_UNSUPPORTED: "the plan cannot run on the Axolotl backend",
  TRAIN_BASE_MODEL_MISSING: "the embedded backend needs a local base model folder",
  TRAIN_BATCH_IMPOSSIBLE: "the batch layout cannot be met",
  TRAIN_DATASET_EMPTY: "the plan's datasets hold no rows",
  TRAIN_DATASET_INVALID: "a training dataset row is malformed",
  TRAIN_DATASET_MISSING: "a training dataset cannot be read",
  TRAIN_FREEZE_SELECTION_INVALID: "a freeze selection is not valid YAML/JSON",
  TRAIN_FREEZE_SELECTION_MISSING: "a freeze selection cannot be read",
  TRAIN_FREEZE_WITH_LORA: "unfrozen_parameters and LoRA were combined",
  TRAIN_FSDP_LAYER_CLASS: "the decoder-layer class for FSDP cannot be guessed",
  TRAIN_LAUNCHER_INVALID: "the multi-node launcher settings are incomplete",
  TRAIN_PLAN_INVALID: "the training plan does not fit the schema",
  TRAIN_PLAN_NOT_READABLE: "the training plan cannot be read or parsed",
  TRAIN_VAL_SET_TOO_LARGE: "val_set_size leaves no training rows",
  TRAIN_CONFIG_NUMBER: "a non-finite number cannot be written to an Axolotl config",
  TRAIN_LOG_NOT_RECOGNISED: "a file does not look like a Trainer log",
  TRAIN_NO_MODEL: "axolotl exited 0 but wrote no model",
  TRAIN_REHEARSE_BASE_MODEL: "a rehearsal's base_model is not a local model folder",
  TRAIN_REHEARSE_CONFIG: "a rehearsal config is not a YAML mapping or has invalid settings",
  TRAIN_REHEARSE_CONFIG_MISSING: "a rehearsal config cannot be read",
  TRAIN_REHEARSE_NOT_LORA: "merge-lora was asked of a config without adapter: lora",
  TRAIN_REHEARSE_UNSUPPORTED: "a rehearsal config uses settings the embedded trainer cannot honour",
  TRAIN_UNFROZEN_CHECK_FAILED: "unfrozen_parameters would waste the run",
  TRAIN_BAD_OPTION: "a plan run option is outside what its schema allows (the message names it)",
} as const;

declare module "@cftkit/core" {
  interface CftkitErrorCodes extends Record<keyof typeof TRAINER_ERROR_CODES, string> {}
}
