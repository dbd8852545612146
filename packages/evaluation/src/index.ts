// ---- scorers: moved to @cftkit/metrics (no ML runtime); re-exported so existing imports keep working ----
export {
  type QaScore,
  type SquadArticle,
  type SquadDataset,
  type SquadQuestion,
  evaluateQa,
  tokenF1,
  normalizeSquadAnswer,
  scoreSquad,
  squadExactMatch,
  squadF1,
  MLQA_LANGUAGES,
  type MlqaLanguage,
  mixedSegmentation,
  mlqaExactMatch,
  mlqaF1,
  normalizeMlqaAnswer,
  scoreMlqa,
  porterStem,
  type RougeOptions,
  type RougeScore,
  type RougeScores,
  rougeCorpus,
  rougeL,
  rougeN,
  rougeScore,
  tokenizeMultilingual,
  tokenizeRouge,
  type MultipleChoiceItem,
  type MultipleChoiceResult,
  scoreMultipleChoice,
  type PerplexityResult,
  type RecordLogLikelihood,
  aggregatePerplexity,
  type PunktParameters,
  PunktSentenceTokenizer,
  englishPunktParameters,
  loadPunktParameters,
  sentTokenize,
  treebankWordTokenize,
  wordTokenize,
  detectLanguage,
  detectLanguageCandidates,
  languageMatches,
  IFEVAL_CHECKERS,
  IFEVAL_INSTRUCTION_IDS,
  type IfevalKwargs,
  type InstructionChecker,
  checkInstruction,
  type IfevalInput,
  type IfevalMetrics,
  type IfevalOutput,
  type IfevalResult,
  evaluateIfeval,
  evaluateLoose,
  evaluateStrict,
  looseVariants,
  readIfevalInputs,
  readIfevalResponses,
  writeIfevalOutputs,
} from "@cftkit/metrics";
// ---- tasks: models and task runners ----
export {
  type EvalModel,
  type GenerationRequest,
  type LikelihoodRequest,
  type LikelihoodResult,
  EmbeddedEvalModel,
} from "./tasks/eval-model.js";
export {
  type HeldoutExample,
  type HeldoutLikelihoodResult,
  heldoutLikelihood,
} from "./tasks/heldout-likelihood-task.js";
export { type QaItem, type QaTaskResult, qaGenerationTask } from "./tasks/qa-generation-task.js";
export { type ResponseItem, responseItems, responseRougeTask } from "./tasks/response-rouge-task.js";
export { type ChatRenderer, renderChatML } from "./tasks/chatml.js";
export { ResponseCache } from "./tasks/response-cache.js";
export { OpenAIEvalModel, type OpenAIEvalModelOptions } from "./tasks/openai-eval-model.js";
export type { Ability, TaskPrediction, TaskResult } from "./tasks/task-result.js";
export { QA_PROMPT_WORDS, XQUAD_LANGUAGES, loadSquadQaItems, qaPromptText } from "./tasks/qa-items.js";
export {
  type MultipleChoiceTaskItem,
  type MultipleChoiceTaskResult,
  loadHellaswagItems,
  loadMmluItems,
  multipleChoiceTask,
} from "./tasks/multiple-choice-task.js";
export {
  XLSUM_PROMPT,
  type XlsumItem,
  ifevalTask,
  loadXlsumItems,
  xlsumTask,
} from "./tasks/generation-tasks.js";
export {
  type PairwiseItem,
  judgePrompt,
  loadPairwiseItems,
  pairwiseJudgeTask,
  parseVerdict,
} from "./tasks/pairwise-judge-task.js";
export {
  type EvaluationReport,
  type TaskFamily,
  type TaskSpec,
  loadHeldoutExamples,
  parseTaskSpec,
  runEvaluation,
  runTask,
} from "./tasks/run-evaluation.js";
export {
  type AbilitySummary,
  type PhaseDelta,
  type ScoredTask,
  abilityTable,
  phaseDeltas,
  summarizeAbilities,
} from "./aggregate.js";
export {
  type LmEvalModel,
  type LmEvalOptions,
  type LmEvalResults,
  type LmEvalTaskScore,
  buildLmEvalCommand,
  findLmEvalResultsFile,
  importLmEvalResults,
  lmEvalScoredTasks,
  parseLmEvalResults,
  runLmEval,
} from "./lm-eval-bridge.js";
export { EVALUATION_ERROR_CODES } from "./error-codes.js";
export { readJsonFile, readPredictions, readTexts } from "./score-input-files.js";
export {
  alpacaEvalTask,
  alpacaEvalRankingPrompt,
  parseRanking,
  winRateOf,
  ALPACA_EVAL_ANNOTATORS,
  ALPACA_EVAL_GPT4_SETTINGS,
  type AlpacaEvalAnnotator,
} from "./tasks/alpaca-eval-annotator.js";
export { taskAbility } from "./aggregate.js";
export {
  apiBase,
  isServerUrl,
  lmEvalModelFor,
  openEvalModel,
  serverModelName,
  type EvalModelSpec,
} from "./eval-model-for.js";
export {
  type EvalRunOptions,
  type LmEvalRunOptions,
  evalRunOptionsSchema,
  lmEvalRunOptionsSchema,
} from "./eval-run-options.js";
export {
  type LmEvalRunReport,
  type LmEvalScores,
  describeLmEvalRun,
  evaluateWithLmEval,
  importLmEvalScores,
  lmEvalScores,
} from "./lm-eval-run.js";
export { evaluateModel } from "./evaluate-model.js";
export { type QaFileScore, rougeFiles, scoreIfevalFiles, scoreQaFiles } from "./score-files.js";
export {
  describeIfevalMetrics,
  describeQaFileScore,
  describeRougeScores,
  describeTaskScores,
  type TaskScoreRow,
} from "./score-descriptions.js";
