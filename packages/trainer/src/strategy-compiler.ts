import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { CftkitError, printable } from "@cftkit/core";
import { DEEPSPEED_PRESETS } from "./axolotl-config.js";
import type {
  Experiment,
  ExperimentDataset,
  ExperimentSetting,
  ExperimentStrategy,
  TrainingOverrides,
} from "./experiment-schema.js";
import { readUnfrozenParameters } from "./freeze-selection.js";
import { strategyEntry } from "./strategy-catalogue.js";
import {
  type PlanDataset,
  parseTrainingPlan,
  type TrainingPlan,
  type TrainingPlanInput,
} from "./training-plan.js";

export interface SkippedPlan {
  setting: string;
  strategy: ExperimentStrategy;
  reason: string;
}

export interface CompiledExperiment {
  experiment: string;
  plans: TrainingPlan[];
  /** Strategy/setting combinations that do not apply or lack an input (with why). */
  skipped: SkippedPlan[];
  /** Plans whose freeze selection file does not exist yet (it is read when the plan runs). */
  pending: { plan: string; waitingFor: string }[];
  /** Data files the plans name that do not exist (yet): reported by `train plan` and `run --dry-run`. */
  missingInputs: MissingInput[];
  /** Choices the plans make that a reader should know about (e.g. which learning rate LoRA uses). */
  notes: string[];
}

export interface MissingInput {
  plan: string;
  role: string;
  path: string;
}

export interface CompileOptions {
  /** Folder relative paths in the experiment are resolved against (the experiment file's folder). */
  baseDir: string;
  /** The experiment file, recorded in each plan's inputs and named in errors. */
  experimentPath?: string;
}

/**
 * `launcher.deepspeed`: a ZeRO preset, or your own DeepSpeed json resolved against the experiment's folder,
 * which must exist (a typo such as `zero7` must not become a path nobody checks).
 */
function resolveDeepSpeed(launcher: Experiment["launcher"], options: CompileOptions): Experiment["launcher"] {
  const value = launcher.deepspeed;
  if (value === undefined || (DEEPSPEED_PRESETS as readonly string[]).includes(value)) return launcher;
  const path = resolvePath(options.baseDir, value);
  if (!existsSync(path)) {
    throw new CftkitError(
      "EXPERIMENT_INVALID",
      `${options.experimentPath ?? "experiment"}: launcher.deepspeed: "${printable(value)}" is neither a preset (${DEEPSPEED_PRESETS.join(", ")}) nor an existing file (looked for ${printable(path)}; paths are relative to the experiment file)`,
    );
  }
  return { ...launcher, deepspeed: path };
}

/** Which learning rate a LoRA plan uses, said in the plan (`inputs.learning_rate`) and in a note. */
function loraLearningRate(experiment: Experiment, plan: TrainingPlan): { source: string; note?: string } {
  const rate = plan.hyperparameters.learning_rate;
  if (experiment.strategy_training.LoRA?.learning_rate !== undefined) {
    return { source: `${rate} (strategy_training.LoRA.learning_rate)` };
  }
  return {
    source: `${rate} (the full fine-tuning rate: no LoRA rate set)`,
    note: `${plan.name}: LoRA uses the full fine-tuning learning rate ${rate}. The paper does not give LoRA's rate${rate <= 1e-5 ? ", and a rate this low barely moves the adapters" : ""}: set strategy_training.LoRA.learning_rate in the experiment (LoRA runs commonly use 1e-4 to 3e-4).`,
  };
}

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** A model reference: a local folder (resolved) or a Hugging Face id / `init:…` (kept as is). */
function resolveModel(baseDir: string, model: string): string {
  if (model.startsWith("init:")) return model;
  if (isAbsolute(model) || model.startsWith("./") || model.startsWith("../") || model.startsWith("~")) {
    return resolvePath(baseDir, model);
  }
  const local = resolve(baseDir, model);
  return existsSync(local) ? local : model;
}

function toPlanDataset(baseDir: string, d: ExperimentDataset, role: string): PlanDataset {
  return {
    path: resolvePath(baseDir, d.path),
    type: d.type,
    role,
    field_messages: d.field_messages ?? "messages",
  };
}

function applyOverrides(
  plan: TrainingPlanInput,
  ...overrides: (TrainingOverrides | undefined)[]
): TrainingPlanInput {
  const hyper: Record<string, unknown> = { ...(plan.hyperparameters ?? {}) };
  const out: TrainingPlanInput = { ...plan };
  for (const o of overrides) {
    if (!o) continue;
    const { sequence_len, chat_template, attn_implementation, special_tokens, ...rest } = o;
    if (special_tokens !== undefined) out.special_tokens = special_tokens;
    if (sequence_len !== undefined) out.sequence_len = sequence_len;
    if (chat_template !== undefined) out.chat_template = chat_template;
    if (attn_implementation !== undefined) out.attn_implementation = attn_implementation;
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) hyper[k] = v;
  }
  out.hyperparameters = hyper as TrainingPlanInput["hyperparameters"];
  return out;
}

/** Phase 1 of one setting: its plan (when Phase 1 trains on data) and the model Phase 2 starts from. */
export interface Phase1Stage {
  setting: ExperimentSetting;
  /** The base model (a resolved folder, a Hugging Face id or `init:…`). */
  baseModel: string;
  phase1Plan?: TrainingPlan;
  /** The Phase-1 plan's output folder, or the off-the-shelf instruct model. */
  phase2Base: string;
}

/** What Phase 2 needs from the steps after Phase 1: freeze selection files and replay mixes per strategy. */
export interface Phase2Inputs {
  selections?: Partial<Record<ExperimentStrategy, string>>;
  replay?: Partial<Record<ExperimentStrategy, ExperimentDataset | string>>;
}

export interface Phase2Stage {
  plans: TrainingPlan[];
  skipped: SkippedPlan[];
  pending: { plan: string; waitingFor: string }[];
  /** Choices the plans make that a reader should know about (e.g. which learning rate LoRA uses). */
  notes: string[];
}

function experimentInputsOf(options: CompileOptions): Record<string, string> {
  return options.experimentPath ? { experiment: resolvePath(process.cwd(), options.experimentPath) } : {};
}

function outputDir(experiment: Experiment, options: CompileOptions, setting: string, run: string): string {
  return resolve(resolvePath(options.baseDir, experiment.output_dir), setting, run);
}

/** Stage 1: the Phase-1 plan of one setting (none when Phase 1 is an off-the-shelf instruct model). */
export function compilePhase1(
  experiment: Experiment,
  setting: ExperimentSetting,
  options: CompileOptions,
): Phase1Stage {
  const { baseDir } = options;
  const baseModel = resolveModel(baseDir, experiment.base_model);
  if (!setting.phase1.datasets) {
    return { setting, baseModel, phase2Base: resolveModel(baseDir, setting.phase1.model as string) };
  }
  const input = applyOverrides(
    {
      name: `${setting.name}.phase1`,
      strategy: "phase1",
      phase: 1,
      base_model: baseModel,
      datasets: setting.phase1.datasets.map((d) => toPlanDataset(baseDir, d, "phase1")),
      setting: setting.name,
      seed: experiment.seed,
      launcher: resolveDeepSpeed(experiment.launcher, options),
      output_dir: outputDir(experiment, options, setting.name, "phase1"),
      inputs: { ...experimentInputsOf(options), base_model: baseModel },
    },
    experiment.training,
    experiment.phase1_training,
  );
  const phase1Plan = parseTrainingPlan(input, `${setting.name}.phase1`);
  return { setting, baseModel, phase1Plan, phase2Base: phase1Plan.output_dir };
}

/** The strategies a setting runs: its own `strategies:` list, or the experiment's. */
export function settingStrategies(experiment: Experiment, setting: ExperimentSetting): ExperimentStrategy[] {
  return setting.strategies ?? experiment.strategies;
}

/**
 * Stage 2: one Phase-2 plan per strategy of the setting, given the freeze selections and replay mixes
 * made after Phase 1 (`inputs`; the setting's own `selections:`/`replay:` fill the rest). What each
 * strategy trains comes from the strategy catalogue.
 */
export async function compilePhase2(
  experiment: Experiment,
  stage: Phase1Stage,
  options: CompileOptions,
  inputs: Phase2Inputs = {},
): Promise<Phase2Stage> {
  const { setting, phase1Plan, phase2Base, baseModel } = stage;
  const out: Phase2Stage = { plans: [], skipped: [], pending: [], notes: [] };
  const launcher = resolveDeepSpeed(experiment.launcher, options);
  const phase2Data = setting.phase2.datasets.map((d) => toPlanDataset(options.baseDir, d, "phase2"));
  const selections = { ...setting.selections, ...inputs.selections };
  const replay = { ...setting.replay, ...inputs.replay };
  for (const strategy of settingStrategies(experiment, setting)) {
    const name = `${setting.name}.${strategy}`;
    const base: TrainingPlanInput = {
      name,
      strategy,
      phase: 2,
      base_model: phase2Base,
      datasets: phase2Data,
      setting: setting.name,
      seed: experiment.seed,
      launcher,
      output_dir: outputDir(experiment, options, setting.name, `phase2-${strategy}`),
      depends_on: phase1Plan ? [phase1Plan.name] : [],
      inputs: {
        ...experimentInputsOf(options),
        base_model: phase2Base,
        ...(phase1Plan ? { phase1_plan: phase1Plan.name } : { phase1_model: phase2Base }),
      },
    };
    const entry = strategyEntry(strategy);
    const skip = (reason: string) => out.skipped.push({ setting: setting.name, strategy, reason });
    let input: TrainingPlanInput = base;
    if (entry.data === "phase1+phase2") {
      if (!phase1Plan) {
        skip(`${strategy} needs Phase-1 data (this setting starts from an off-the-shelf instruct model)`);
        continue;
      }
      input = {
        ...base,
        phase: "mixture",
        base_model: baseModel,
        datasets: [...phase1Plan.datasets, ...phase2Data],
        output_dir: outputDir(experiment, options, setting.name, strategy),
        depends_on: [],
        inputs: { ...experimentInputsOf(options), base_model: baseModel, phase1_plan: phase1Plan.name },
      };
    }
    if (entry.freeze) {
      const file = selections[strategy];
      if (!file) {
        skip(`no freeze selection: set settings[].selections.${strategy} to a @cftkit/freeze output file`);
        continue;
      }
      const source = resolvePath(options.baseDir, file);
      const unfrozen = existsSync(source) ? await readUnfrozenParameters(source) : undefined;
      if (!unfrozen) out.pending.push({ plan: name, waitingFor: source });
      input = {
        ...input,
        freeze: unfrozen ? { unfrozen_parameters: unfrozen, source } : { source },
        inputs: { ...input.inputs, freeze_selection: source },
      };
    }
    if (entry.replay) {
      const mix = replay[strategy];
      if (!mix) {
        skip(`no replay mix: set settings[].replay.${strategy} to a @cftkit/replay mixed file`);
        continue;
      }
      const dataset = toPlanDataset(
        options.baseDir,
        typeof mix === "string" ? { path: mix, type: "chat_template" } : mix,
        `phase2+replay:${strategy}`,
      );
      input = { ...input, datasets: [dataset], inputs: { ...input.inputs, replay_mix: dataset.path } };
    }
    if (entry.adapter === "lora") input = { ...input, lora: experiment.lora };
    let plan = parseTrainingPlan(
      applyOverrides(input, experiment.training, experiment.strategy_training[strategy]),
      name,
    );
    if (entry.data === "phase1+phase2" && phase1Plan)
      plan = withBothPhasesSteps(experiment, plan, base, phase1Plan);
    if (entry.adapter === "lora") {
      const { source, note } = loraLearningRate(experiment, plan);
      plan = { ...plan, inputs: { ...plan.inputs, learning_rate: source } };
      if (note) out.notes.push(note);
    }
    out.plans.push(plan);
  }
  return out;
}

/**
 * A mixture takes as many optimizer steps as Phase 1 and Phase 2 together: with epochs this holds by
 * construction (the union has both phases' rows); with an explicit max_steps, it gets the sum of both.
 */
function withBothPhasesSteps(
  experiment: Experiment,
  plan: TrainingPlan,
  phase2Input: TrainingPlanInput,
  phase1Plan: TrainingPlan,
): TrainingPlan {
  const p1Steps = phase1Plan.hyperparameters.max_steps;
  const p2Steps = parseTrainingPlan(applyOverrides(phase2Input, experiment.training), plan.name)
    .hyperparameters.max_steps;
  const own = experiment.strategy_training[plan.strategy as ExperimentStrategy]?.max_steps;
  if (own !== undefined || p1Steps === undefined || p2Steps === undefined) return plan;
  return { ...plan, hyperparameters: { ...plan.hyperparameters, max_steps: p1Steps + p2Steps } };
}

/**
 * Compile one experiment into training plans: per setting, the Phase-1 plan (stage 1) and one Phase-2
 * plan per strategy (stage 2) from the selections and replay mixes the experiment file names.
 */
export async function compileExperiment(
  experiment: Experiment,
  options: CompileOptions,
): Promise<CompiledExperiment> {
  const compiled: CompiledExperiment = {
    experiment: experiment.name,
    plans: [],
    skipped: [],
    pending: [],
    missingInputs: [],
    notes: [],
  };
  for (const setting of experiment.settings) {
    const stage = compilePhase1(experiment, setting, options);
    if (stage.phase1Plan) compiled.plans.push(stage.phase1Plan);
    const phase2 = await compilePhase2(experiment, stage, options);
    compiled.plans.push(...phase2.plans);
    compiled.skipped.push(...phase2.skipped);
    compiled.pending.push(...phase2.pending);
    compiled.notes.push(...phase2.notes);
  }
  compiled.missingInputs = missingInputs(compiled.plans);
  return compiled;
}

/** Every data file a plan reads that does not exist now (each path once per plan). */
function missingInputs(plans: TrainingPlan[]): MissingInput[] {
  const missing: MissingInput[] = [];
  for (const plan of plans) {
    for (const d of plan.datasets) {
      if (!existsSync(d.path)) missing.push({ plan: plan.name, role: d.role ?? "data", path: d.path });
    }
  }
  return missing;
}
