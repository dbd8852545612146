/**
 * Internals of @cftkit/lm: the tfjs handle and backend set-up, the Llama graph pieces (fastMatMul, RoPE, RMSNorm),
 * the ONNX forward, training-batch and optimizer helpers. Shared with tests, benchmarks and tools; not the
 * documented API (that is the main entry: CausalLM, tokenizers, model folders, trainCausalLM).
 */
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
} from "./llama-graph.js";
export { ensureTfBackend, ensureGradients, tf, type TfBackendName } from "./tf-backend.js";
export { OrtLlamaForward, buildLlamaOnnx } from "./ort-forward.js";
export { TensorParamStore } from "./causal-lm.js";
export { bytesToUnicode, BYTE_LEVEL_IDS, BYTE_LEVEL_SPECIAL_TOKENS } from "./byte-level-tokenizer.js";
export { causalLmLossSum } from "./train-causal-lm.js";
export { clipGradientsByGlobalNorm, defaultDecayPredicate } from "./adamw.js";
export { lrLambda } from "./lr-schedule.js";
export { unfrozenPatternToRegExp, partitionParameters } from "./unfrozen-parameters.js";
export { peftName } from "./lora.js";
export {
  IGNORE_INDEX,
  tokenizeTrainingExample,
  padBatch,
  countLossTokens,
  type ChatTemplateTokenizer,
  type TokenizedExample,
  type PaddedBatch,
} from "./training-batch.js";
export { registerFastMatMulGradient } from "./fast-matmul-gradient.js";
