export { readRunExperiment, RunExperimentSchema, type RunExperiment } from "./experiment-schema.js";
export { runExperiment, type RunExperimentOptions, type RunOutcome } from "./run-experiment.js";
export { STEP_TABLE, STEP_NAMES } from "./step-table.js";
export type { PipelineStep, StepUnit, UnitOutput } from "./step.js";
export { unit } from "./step.js";
export { walkSteps, checkStepNames, type StepSelection } from "./walker.js";
export { StepCache, type StepRecord } from "./step-cache.js";
export type { RunContext, FileKey } from "./run-context.js";
export type { RunState, PairState, ModelRef, Phase2Run } from "./run-state.js";
export { dryRun, formatDryRun, type DryRun } from "./dry-run.js";
export {
  describeExperimentRun,
  type ExperimentFileOptions,
  type ExperimentFileRun,
  experimentRunDocument,
  runExperimentFile,
} from "./run-experiment-file.js";
export { quickstart, type QuickstartOptions } from "./quickstart.js";
export { describeQuickstart, type QuickstartDocument, runQuickstart } from "./quickstart-document.js";
export { parseQuickstartProfile, quickstartSettingsSchema } from "./quickstart-settings.js";
export { experimentFileOptionsSchema } from "./experiment-file-options.js";
export {
  QUICKSTART_PROFILES,
  QUICKSTART_PROFILE_NAMES,
  type QuickstartProfile,
  type QuickstartSizes,
} from "./quickstart-profile.js";
export { bundledDataDir, bundledMtBenchQuestions } from "./bundled-data.js";
export {
  PRETRAIN_RECIPE,
  type PretrainBaseOptions,
  type PretrainedBase,
  type PretrainingCorpus,
  pretrainBase,
  pretrainingCorpus,
  reservedArticles,
} from "./base-pretraining.js";
export { CausalLmEncoder } from "./causal-lm-encoder.js";
export { abilityScores, type MeasuredScores } from "./ability-scores.js";
export type {
  AbilityScores,
  ExperimentResults,
  PhasePairResult,
  StrategyResult,
  TrainingSummary,
} from "./report/experiment-results.js";
export { fmt, fmtDelta } from "./report/format-number.js";
export { renderHtml, type ReportCharts } from "./report/render-html.js";
export { renderMarkdown } from "./report/render-markdown.js";
export { RUNNER_ERROR_CODES } from "./error-codes.js";
export {
  describeHiddenStatesFile,
  writeHiddenStatesFile,
  type HiddenStatesFileOptions,
  type HiddenStatesFileResult,
} from "./hidden-states-file.js";
export { hiddenStatesSettingsSchema, transformersEngineSchema } from "./hidden-states-settings.js";
export { GenerationSchema, type GenerationConfig } from "./generation-schema.js";
export { LmEvalSchema, type LmEvalConfig } from "./lm-eval-schema.js";
export { type DesFileOptions, desFileOptionsSchema } from "./des-file-options.js";
export { type DesOfFiles, desOfFiles, describeDesOfFiles } from "./des-files.js";
