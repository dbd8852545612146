export {
  type QaScore,
  type SquadArticle,
  type SquadDataset,
  type SquadQuestion,
  evaluateQa,
  tokenF1,
} from "./qa-types.js";
export { normalizeSquadAnswer, scoreSquad, squadExactMatch, squadF1 } from "./squad-score.js";
export {
  MLQA_LANGUAGES,
  type MlqaLanguage,
  mixedSegmentation,
  mlqaExactMatch,
  mlqaF1,
  normalizeMlqaAnswer,
  scoreMlqa,
} from "./mlqa-score.js";
export { porterStem } from "./porter-stemmer.js";
export {
  type RougeOptions,
  type RougeScore,
  type RougeScores,
  rougeCorpus,
  rougeL,
  rougeN,
  rougeScore,
  tokenizeMultilingual,
  tokenizeRouge,
} from "./rouge.js";
export {
  type MultipleChoiceItem,
  type MultipleChoiceResult,
  scoreMultipleChoice,
} from "./multiple-choice.js";
export { type PerplexityResult, type RecordLogLikelihood, aggregatePerplexity } from "./perplexity.js";
export {
  type PunktParameters,
  PunktSentenceTokenizer,
  englishPunktParameters,
  loadPunktParameters,
  sentTokenize,
} from "./ifeval/punkt.js";
export { treebankWordTokenize, wordTokenize } from "./ifeval/word-tokenize.js";
export { detectLanguage, detectLanguageCandidates, languageMatches } from "./ifeval/language-detect.js";
export {
  CHECKERS as IFEVAL_CHECKERS,
  INSTRUCTION_IDS as IFEVAL_INSTRUCTION_IDS,
  type IfevalKwargs,
  type InstructionChecker,
  checkInstruction,
} from "./ifeval/checkers.js";
export {
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
} from "./ifeval/evaluate.js";
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
export { taskAbility } from "./aggregate.js";
