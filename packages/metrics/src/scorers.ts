// Every scorer, Node-free. Entries: index.ts (Node) and portable.ts (browser), which differ in how data loads.
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
  lcsLength,
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
export { pyIsLower, pyIsUpper, pyLower, pySplit, pyStrip } from "./python-text.js";
export {
  type PunktParameters,
  PunktSentenceTokenizer,
  englishPunktParameters,
  sentTokenize,
  setEnglishPunktParameters,
} from "./ifeval/punkt.js";
export { PUNKT_TABLE_FILES, type PunktTableTexts, parsePunktTables } from "./ifeval/punkt-tables.js";
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
  pythonJsonDumps,
} from "./ifeval/evaluate.js";
export { METRICS_ERROR_CODES } from "./error-codes.js";
