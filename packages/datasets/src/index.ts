export {
  ChatMessageSchema,
  InstructionRecordSchema,
  type InstructionRecord,
  type TrainingExampleRow,
  LANGUAGE_TAG,
  recordToMessages,
  recordText,
} from "./record.js";
export {
  type DataIssue,
  type IssueKind,
  type LoadSummary,
  createLoadSummary,
  formatIssue,
  mergeSummaries,
} from "./load-summary.js";
export { DATASET_FORMATS, type DatasetFormat, type FieldMapping, detectRowFormat } from "./formats.js";
export { type LoadOptions, loadDataset, loadDatasetWithSummary, streamDataset } from "./load-dataset.js";
export {
  type RecordSource,
  readRecordsJsonl,
  streamRecordsJsonl,
  writeRecordsJsonl,
  recordToJson,
  writeJsonlAtomic,
} from "./records-jsonl.js";
export { QA_TEMPLATES, qaTemplateFor } from "./qa-templates.js";
export { languageFromFileName, normaliseLanguageTag } from "./language-tag.js";
export {
  detectLanguage,
  languageCounts,
  languageReport,
  type LanguageReport,
  type LanguageReportOptions,
  type LanguageMismatch,
} from "./language-id.js";
export { type SampleOptions, sampleRecords, sampleStream, allocate } from "./sample.js";
export { type MixPart, type MixOptions, type MixResult, mixRecords } from "./mix.js";
export { type SplitOptions, splitRecords } from "./split.js";
export { type DedupOptions, dedupRecords, normaliseText } from "./dedup.js";
export {
  type TokenCounter,
  type LengthFilterOptions,
  countWhitespaceWords,
  countChars,
  filterByLength,
} from "./length-filter.js";
export { type AlignOptions, type AlignResult, alignEnglish } from "./align.js";
export {
  type AxolotlType,
  type AxolotlDatasetEntry,
  axolotlDatasetEntry,
  exportAxolotl,
  exportEmbedded,
  toAlpacaRow,
  toTrainingExample,
} from "./export.js";
export { type DatasetStats, type LengthStats, StatsAccumulator, datasetStats } from "./stats.js";
export { DATASETS_ERROR_CODES } from "./error-codes.js";
export { readPrompts } from "./read-prompts.js";
export { hasResponse, trainableRecords } from "./trainable.js";
export { FileIssueError, jsonlRows, jsonRows, type RawRow } from "./read-rows.js";
export { loadSummaryJson, loadSummaryLines } from "./load-summary.js";
export {
  OUTPUT_LAYOUTS,
  OUTPUT_LAYOUT_ALIASES,
  type OutputLayout,
  writeRecordsAs,
} from "./output-layout.js";
export {
  alignDatasetFiles,
  type AlignFilesResult,
  datasetFileStats,
  mixDatasetFiles,
  sampleDatasetFile,
  splitDatasetFile,
} from "./dataset-files.js";
export {
  alignFileOptionsSchema,
  convertFileOptionsSchema,
  defaultOutputLayoutOption,
  mixFileOptionsSchema,
  mixFilesSchema,
  outputLayoutOption,
  sampleFileOptionsSchema,
  splitFileOptionsSchema,
  splitFilesSchema,
  statsFileOptionsSchema,
  type AlignFileOptions,
  type ConvertFileOptions,
  type MixFileOptions,
  type MixFiles,
  type SampleFileOptions,
  type SplitFileOptions,
  type SplitFiles,
  type StatsFileOptions,
} from "./dataset-file-options.js";
export { loadChoicesSchema, loadOptionsFromChoices, type LoadChoices } from "./load-choices.js";
export {
  describeAlignment,
  describeConversion,
  describeDatasetStats,
  describeMix,
  describeSample,
  describeSplit,
} from "./dataset-descriptions.js";
export {
  type DataConvertDocument,
  type DataFileRun,
  type DataMixDocument,
  type DataRunHooks,
  type DataSampleDocument,
  type DataSplitDocument,
  type DataStatsDocument,
  runDataAlign,
  runDataConvert,
  runDataMix,
  runDataSample,
  runDataSplit,
  runDataStats,
} from "./data-file-runs.js";
