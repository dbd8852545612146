export type {
  ReplayRecord,
  GenerationItem,
  GenerationProvenance,
  GeneratedRecord,
  RejectedRecord,
  QualityRejectReason,
} from "./replay-types.js";
export { AppendOnlyJournal, type JournalOptions, type JournalOpenReport } from "./append-only-journal.js";
export {
  judgeResponse,
  detectLanguage,
  DEFAULT_REFUSAL_PATTERNS,
  type QualityFilterOptions,
  type QualityVerdict,
} from "./quality-filters.js";
export { LOCAL_CHAT_TEMPLATES, localChatTemplate, type LocalChatTemplate } from "./chat-templates.js";
export {
  openAIChatGenerator,
  openAICompletionGenerator,
  embeddedGenerator,
  resolveSampling,
  type ReplayGenerator,
  type GenerativeModel,
  type GeneratorDescription,
  type GenerationOutcome,
  type GenerationResult,
  type SamplingSettings,
  type ResolvedSampling,
} from "./generators.js";
export {
  runGenerativeReplay,
  rejectsPathFor,
  serializableFilters,
  type GenerativeReplayOptions,
  type GenerativeReplaySummary,
} from "./generative-replay.js";
export {
  selectReplayItems,
  buildExclusionIndex,
  exclusionReason,
  REPLAY_MODES,
  type ReplayMode,
  type ReplaySelection,
  type ReplaySelectionOptions,
  type ExclusionIndex,
} from "./replay-selection.js";
export {
  runEnglishReplay,
  runGenerativeReplayFiles,
  loadReplaySelection,
  generationItems,
  mixReplayRecords,
  mixReplayFiles,
  type InputFile,
  type ReplayInputs,
  type EnglishReplayManifest,
  type GenerativeReplayManifest,
  type GrFileOptions,
  type MixManifest,
  type MixFormat,
  MIX_FORMAT_OF_LAYOUT,
} from "./replay-files.js";
export { REPLAY_ERROR_CODES } from "./error-codes.js";
export { mixManifestPath, replayMixFilesSchema } from "./replay-mix-options.js";
export { sharedGenerator } from "./shared-generator.js";
export {
  withGenerationServers,
  generationMode,
  type GenerationServersConfig,
  type GenerationSession,
} from "./generation-servers.js";
export {
  translateDataset,
  translationPrompt,
  languageName,
  MULTIALPACA_LANGUAGES,
  translationSideFiles,
  type TranslateOptions,
  type TranslateSummary,
} from "./translate-dataset.js";
export {
  replayGeneratorFor,
  type ReplayGeneratorSource,
} from "./replay-generator-source.js";
export {
  assertReplayFinished,
  assertTranslationFinished,
  describeSelection,
  replayShortfall,
} from "./replay-outcome.js";
export { replayInputsSchema, replaySizeSchema } from "./replay-selection.js";
export { replaySamplingSchema } from "./replay-sampling.js";
export {
  qualityFiltersOf,
  type ReplayGenerationChoices,
  replayGenerationSchema,
} from "./replay-generation-options.js";
export { translateDatasetFile, translateFileOptionsSchema, translationLanguages } from "./translate-file.js";
export { openAIClientOf, type OpenAIServerChoices, openAIServerSchema } from "./server-options.js";
export {
  type ReplayGeneratorChoices,
  replayGeneratorChoicesSchema,
  replayGeneratorOf,
  runGenerativeReplayOf,
} from "./generative-replay-choices.js";
export {
  describeEnglishReplay,
  describeGenerativeReplay,
  describeReplayMix,
  describeTranslation,
} from "./replay-descriptions.js";
