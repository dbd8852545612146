// ---- model + inference (model-config, llama-graph, causal-lm, tokenizers) ----
export {
  type ModelConfig,
  type ModelType,
  type RopeScaling,
  type ParameterSpec,
  type ModelPreset,
  parseModelConfig,
  readModelConfig,
  modelConfigToJson,
  parameterSpecs,
  parameterCount,
  presetConfig,
} from "./model-config.js";
export {
  type ParamStore,
  type KVCache,
  type LlamaForwardOptions,
  type LlamaForwardResult,
  llamaForward,
  disposeKVCache,
  embeddingLookup,
  oneHotFloat,
  fastMatMul,
  attentionMaskData,
  ropeTableData,
  rmsNorm,
  ropeInvFreq,
  forwardFlops,
} from "./llama-graph.js";
export { ensureTfBackend, ensureGradients, tfBackendInfo, tf, type TfBackendName } from "./tf-backend.js";
export { OrtLlamaForward, buildLlamaOnnx } from "./ort-forward.js";
export {
  CausalLM,
  type LmEngine,
  TensorParamStore,
  type GenerateOptions,
  type GenerateResult,
  type LogLikelihoodRequest,
  type LogLikelihoodResult,
  type ForwardOutput,
} from "./causal-lm.js";
export {
  type NamedTensor,
  type WriteModelFolderOptions,
  readModelWeights,
  writeModelFolder,
  readGenerationConfig,
  defaultGenerationConfig,
} from "./model-folder.js";
export {
  type Tokenizer,
  loadTokenizer,
  hasTokenizer,
  tokenizerFromJson,
} from "./tokenizer.js";
export {
  byteLevelTokenizer,
  byteLevelTokenizerFiles,
  bytesToUnicode,
  BYTE_LEVEL_CHAT_TEMPLATE,
  BYTE_LEVEL_IDS,
  BYTE_LEVEL_SPECIAL_TOKENS,
  BYTE_LEVEL_VOCAB_SIZE,
} from "./byte-level-tokenizer.js";
export { argmax, sampleToken } from "./sampling.js";
// ---- training (lm-training engineer) ----
export {
  trainCausalLM,
  causalLmLossSum,
  PAPER_TRAINING_DEFAULTS,
  type TrainOptions,
  type TrainResult,
  type TrainMetrics,
} from "./train-causal-lm.js";
export {
  AdamW,
  clipGradientsByGlobalNorm,
  defaultDecayPredicate,
  type AdamWOptions,
  type AdamWState,
} from "./adamw.js";
export { learningRateAt, lrLambda, type LrSchedulerName, type LrScheduleOptions } from "./lr-schedule.js";
export {
  compileUnfrozenPatterns,
  unfrozenPatternToRegExp,
  partitionParameters,
  type ParameterPredicate,
} from "./unfrozen-parameters.js";
export { LoraAdapters, loraTargetModules, peftName, type LoraOptions } from "./lora.js";
export {
  IGNORE_INDEX,
  tokenizeTrainingExample,
  padBatch,
  countLossTokens,
  type TrainingExample,
  type ChatTemplateTokenizer,
  type TokenizedExample,
  type PaddedBatch,
} from "./training-batch.js";
export {
  findLatestCheckpoint,
  readTrainerState,
  type TrainerState,
  type TrainLogEntry,
} from "./training-checkpoint.js";
export { registerFastMatMulGradient } from "./fast-matmul-gradient.js";
export { LM_ERROR_CODES } from "./error-codes.js";
