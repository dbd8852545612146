export {
  PLAN_STRATEGIES,
  type PlanStrategy,
  PAPER_HYPERPARAMETERS,
  PAPER_LORA_RANK,
  PlanDatasetSchema,
  type PlanDataset,
  HyperparametersSchema,
  type Hyperparameters,
  FreezeSchema,
  type Freeze,
  LoraSchema,
  type Lora,
  FsdpSchema,
  type Fsdp,
  LauncherSchema,
  type Launcher,
  TrainingPlanSchema,
  type TrainingPlan,
  type TrainingPlanInput,
  parseTrainingPlan,
  readTrainingPlan,
  writeTrainingPlan,
} from "./training-plan.js";
export { deriveBatchLayout, type BatchLayout } from "./batch-layout.js";
export {
  EXPERIMENT_STRATEGIES,
  type ExperimentStrategy,
  FREEZE_STRATEGIES,
  REPLAY_STRATEGIES,
  ExperimentDatasetSchema,
  type ExperimentDataset,
  ReplayInputSchema,
  BaseModelSchema,
  Phase1Schema,
  Phase2Schema,
  SettingSchema,
  type ExperimentSetting,
  TrainingOverridesSchema,
  type TrainingOverrides,
  experimentShape,
  ExperimentSchema,
  type Experiment,
  type ExperimentInput,
  parseExperiment,
  readExperiment,
} from "./experiment-schema.js";
export { readUnfrozenParameters, resolvePlanInputs, unfrozenMatcher } from "./freeze-selection.js";
export {
  compileExperiment,
  type CompiledExperiment,
  type CompileOptions,
  type SkippedPlan,
} from "./strategy-compiler.js";
export {
  planToAxolotlConfig,
  axolotlConfigToYaml,
  deepSpeedPreset,
  DEEPSPEED_PRESETS,
  type DeepSpeedPreset,
  type AxolotlConfig,
  type AxolotlSideFile,
  type AxolotlConfigOptions,
} from "./axolotl-config.js";
export {
  buildAxolotlCommand,
  effectiveLauncher,
  formatCommand,
  shellQuote,
  type AxolotlCommand,
} from "./axolotl-command.js";
export {
  AxolotlLogParser,
  parseAxolotlLog,
  metricToJson,
  type TrainingMetric,
  type TrainingProgress,
  type FailureSignal,
  type AxolotlLogParserEvents,
} from "./axolotl-log-parser.js";
export { diagnoseAxolotlFailure, type AxolotlExit } from "./axolotl-failure.js";
export {
  collectArtifacts,
  findLastCheckpoint,
  listCheckpoints,
  type TrainingArtifacts,
} from "./training-artifacts.js";
export {
  prepareAxolotlRun,
  runAxolotl,
  type PreparedAxolotlRun,
  type AxolotlRunOptions,
  type AxolotlRunResult,
} from "./axolotl-launcher.js";
export {
  writeExperimentPlans,
  experimentPlansOptionsSchema,
  writePlanGrid,
  planFileStem,
  type PlanGrid,
  type PlanGridEntry,
} from "./plan-grid.js";
export { checkAxolotlConfig, type AxolotlSchemaFacts } from "./axolotl-schema-check.js";
export { readTrainingExamples, splitValidation, type TrainingExampleRow } from "./training-data.js";
export {
  runEmbedded,
  planToTrainOptions,
  loadPlanExamples,
  embeddedBaseModelDir,
  type EmbeddedRunOptions,
  type EmbeddedRunResult,
  type EmbeddedTrainSettings,
} from "./embedded-backend.js";
export { readStructuredFile } from "./read-structured-file.js";
export { TRAINER_ERROR_CODES } from "./error-codes.js";
export { readAxolotlLogFile, type ParsedAxolotlLog } from "./axolotl-log-file.js";
export { stringifyForPython, pythonYamlNumber } from "./python-yaml.js";
export { planRelativeTo, planResolvedFrom, isLocalReference } from "./plan-paths.js";
export type { MissingInput } from "./strategy-compiler.js";
export {
  rehearseAxolotlConfig,
  readRehearsalConfig,
  formatCheck,
  type RehearseOptions,
  type RehearseResult,
} from "./rehearse/rehearse.js";
export {
  parseRehearsalConfig,
  REHEARSAL_KNOWN_KEYS,
  type RehearsalSettings,
} from "./rehearse/rehearsal-settings.js";
export { rehearseOptionsSchema } from "./rehearse/rehearse-options.js";
export { checkUnfrozenParameters, type UnfrozenCheck, type PatternMatch } from "./rehearse/unfrozen-check.js";
export {
  trainWithAxolotl,
  checkPlanTrainable,
  runAxolotlMergeLora,
  type AxolotlTrainingOptions,
  type AxolotlTrainingOutcome,
} from "./axolotl-training.js";
export {
  STRATEGY_CATALOGUE,
  STRATEGY_NAMES,
  FREEZE_STRATEGY_NAMES,
  PAPER_STRATEGY_NAMES,
  REPLAY_STRATEGY_NAMES,
  strategyEntry,
  type StrategyEntry,
  type StrategyName,
  type FreezeRecipe,
  type ReplayRecipe,
} from "./strategy-catalogue.js";
export {
  compilePhase1,
  compilePhase2,
  settingStrategies,
  type Phase1Stage,
  type Phase2Inputs,
  type Phase2Stage,
} from "./strategy-compiler.js";
export {
  axolotlLogDocument,
  axolotlLogFileDocument,
  axolotlLogFileOptionsSchema,
  experimentPlansDocument,
  planGridDocument,
  preparedRunDocument,
  rehearsalDocument,
  writeMetricsJsonl,
} from "./train-documents.js";
export { TRAINING_BACKENDS } from "./experiment-schema.js";
export { trainRunOptionsSchema } from "./train-run-options.js";
export {
  describeFailureSignals,
  describeMetrics,
  describePlanGrid,
  describePlanGridWarnings,
  describePreparedRun,
} from "./train-descriptions.js";
export {
  describePlanFileRun,
  type PlanFileRunDocument,
  type PlanFileRunOptions,
  runPlanFile,
} from "./run-plan-file.js";
