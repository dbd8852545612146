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
export { forwardFlops } from "./llama-graph.js";
export { tfBackendInfo } from "./tf-backend.js";
export {
  CausalLM,
  type LmEngine,
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
export { type Tokenizer, loadTokenizer, hasTokenizer, tokenizerFromJson } from "./tokenizer.js";
export {
  byteLevelTokenizer,
  byteLevelTokenizerFiles,
  BYTE_LEVEL_CHAT_TEMPLATE,
  BYTE_LEVEL_VOCAB_SIZE,
} from "./byte-level-tokenizer.js";
export { argmax, sampleToken } from "./sampling.js";
// ---- training (lm-training engineer) ----
export {
  trainCausalLM,
  PAPER_TRAINING_DEFAULTS,
  type TrainOptions,
  type TrainResult,
  type TrainMetrics,
} from "./train-causal-lm.js";
export { AdamW, type AdamWOptions, type AdamWState } from "./adamw.js";
export { learningRateAt, type LrSchedulerName, type LrScheduleOptions } from "./lr-schedule.js";
export { compileUnfrozenPatterns, type ParameterPredicate } from "./unfrozen-parameters.js";
export { LoraAdapters, loraTargetModules, type LoraOptions } from "./lora.js";
export type { TrainingExample } from "./training-batch.js";
export {
  findLatestCheckpoint,
  readTrainerState,
  type TrainerState,
  type TrainLogEntry,
} from "./training-checkpoint.js";
export { LM_ERROR_CODES } from "./error-codes.js";
export { readTrainingExamplesFile } from "./training-examples-file.js";
export { type TrainFromFilesOptions, trainCausalLMFromFiles } from "./train-from-files.js";
export { registerFastMatMulGradient } from "./fast-matmul-gradient.js";
export type { TrainEngine, TrainEngineName } from "./train-engine.js";
export { buildLlamaTrainOnnx, type TrainGraphOptions } from "./llama-train-graph.js";
export { OrtTrainStep } from "./ort-train-step.js";
export { FusedAdamW, clipFactor, globalGradNorm } from "./fused-adamw.js";
export {
  checkTrainingMemory,
  estimateTrainingMemory,
  type TrainingMemoryEstimate,
} from "./training-memory.js";
// Layer-streamed hidden states for models too big to hold.
export {
  streamedMeanHiddenStates,
  type StreamedHiddenStatesOptions,
  type StreamedHiddenStates,
} from "./streamed-hidden-states/streamed-hidden-states.js";
export {
  reasonToStream,
  defaultMemoryBudget,
  inMemoryWeightBytes,
} from "./streamed-hidden-states/memory-budget.js";
export { buildDecoderLayerOnnx, OrtDecoderLayer } from "./streamed-hidden-states/ort-decoder-layer.js";
export { checkedTensorInfo } from "./model-folder.js";
export {
  transformersHiddenStates,
  transformersScriptPath,
  type TransformersEngineOptions,
  type TransformersEngineResult,
} from "./streamed-hidden-states/transformers-engine.js";
export {
  startOpenAIServer,
  type OpenAIServerOptions,
  type OpenAIServerStats,
  type RunningOpenAIServer,
} from "./serve/openai-server.js";
export { mergeLoraAdapter, type MergeLoraResult } from "./merge-lora.js";
export { describeTokenLogits, type TokenLogitsDocument, tokenLogits } from "./token-logits.js";
export { generationSettingsSchema, modelInitSchema, serveSettingsSchema } from "./model-settings.js";
export { type ServeModelFolderOptions, serveModelFolder } from "./serve/serve-model-folder.js";
export {
  describeGeneration,
  describeInitModelFolder,
  type GenerationDocument,
  generateWithModelFolder,
  generationDocument,
  type InitModelFolderResult,
  initModelFolder,
  tokenLogitsOfModelFolder,
} from "./model-folder-tasks.js";
export { describeTrainResult } from "./train-description.js";
