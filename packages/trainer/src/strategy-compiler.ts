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

/**
 * Compile one experiment into training plans: per setting, the Phase-1 plan (when Phase 1 trains on data)
 * and one Phase-2 plan per strategy, whose base model is the Phase-1 output (or the off-the-shelf instruct
 * model). Mixture trains once on the union of both phases' data from the base model with the same
 * hyper-parameters, so it takes as many optimizer steps as Phase 1 and Phase 2 together.
 */
export async function compileExperiment(
  experiment: Experiment,
  options: CompileOptions,
): Promise<CompiledExperiment> {
  const { baseDir } = options;
  const outRoot = resolvePath(baseDir, experiment.output_dir);
  const plans: TrainingPlan[] = [];
  const skipped: SkippedPlan[] = [];
  const pending: { plan: string; waitingFor: string }[] = [];
  const notes: string[] = [];
  const launcher = resolveDeepSpeed(experiment.launcher, options);
  const baseModel = resolveModel(baseDir, experiment.base_model);
  const experimentInputs: Record<string, string> = options.experimentPath
    ? { experiment: resolvePath(process.cwd(), options.experimentPath) }
    : {};

  const common = (setting: ExperimentSetting, strategy: string) => ({
    setting: setting.name,
    seed: experiment.seed,
    launcher,
    output_dir: resolve(outRoot, setting.name, strategy === "phase1" ? "phase1" : `phase2-${strategy}`),
  });

  for (const setting of experiment.settings) {
    const phase2Data = setting.phase2.datasets.map((d) => toPlanDataset(baseDir, d, "phase2"));
    let phase1Plan: TrainingPlan | undefined;
    let phase2Base: string;
    if (setting.phase1.datasets) {
      const input = applyOverrides(
        {
          name: `${setting.name}.phase1`,
          strategy: "phase1",
          phase: 1,
          base_model: baseModel,
          datasets: setting.phase1.datasets.map((d) => toPlanDataset(baseDir, d, "phase1")),
          ...common(setting, "phase1"),
          inputs: { ...experimentInputs, base_model: baseModel },
        },
        experiment.training,
        experiment.phase1_training,
      );
      phase1Plan = parseTrainingPlan(input, `${setting.name}.phase1`);
      plans.push(phase1Plan);
      phase2Base = phase1Plan.output_dir;
    } else {
      phase2Base = resolveModel(baseDir, setting.phase1.model as string);
    }

    for (const strategy of setting.strategies ?? experiment.strategies) {
      const name = `${setting.name}.${strategy}`;
      const base: TrainingPlanInput = {
        name,
        strategy,
        phase: 2,
        base_model: phase2Base,
        datasets: phase2Data,
        ...common(setting, strategy),
        depends_on: phase1Plan ? [phase1Plan.name] : [],
        inputs: {
          ...experimentInputs,
          base_model: phase2Base,
          ...(phase1Plan ? { phase1_plan: phase1Plan.name } : { phase1_model: phase2Base }),
        },
      };
      let input: TrainingPlanInput | undefined;
      switch (strategy) {
        case "baseline":
          input = base;
          break;
        case "mixture": {
          if (!phase1Plan) {
            skipped.push({
              setting: setting.name,
              strategy,
              reason: "mixture needs Phase-1 data (this setting starts from an off-the-shelf instruct model)",
            });
            break;
          }
          input = {
            ...base,
            phase: "mixture",
            base_model: baseModel,
            datasets: [...phase1Plan.datasets, ...phase2Data],
            output_dir: resolve(outRoot, setting.name, "mixture"),
            depends_on: [],
            inputs: { ...experimentInputs, base_model: baseModel, phase1_plan: phase1Plan.name },
          };
          break;
        }
        case "LF_H1":
        case "LF_H2":
        case "Spectrum": {
          const file = setting.selections[strategy];
          if (!file) {
            skipped.push({
              setting: setting.name,
              strategy,
              reason: `no freeze selection: set settings[].selections.${strategy} to a @cftkit/freeze output file`,
            });
            break;
          }
          const source = resolvePath(baseDir, file);
          const unfrozen = existsSync(source) ? await readUnfrozenParameters(source) : undefined;
          if (!unfrozen) pending.push({ plan: name, waitingFor: source });
          input = {
            ...base,
            freeze: unfrozen ? { unfrozen_parameters: unfrozen, source } : { source },
            inputs: { ...base.inputs, freeze_selection: source },
          };
          break;
        }
        case "GR_5":
        case "GR_10":
        case "ER_10": {
          const mix = setting.replay[strategy];
          if (!mix) {
            skipped.push({
              setting: setting.name,
              strategy,
              reason: `no replay mix: set settings[].replay.${strategy} to a @cftkit/replay mixed file`,
            });
            break;
          }
          const dataset = toPlanDataset(baseDir, mix, `phase2+replay:${strategy}`);
          input = { ...base, datasets: [dataset], inputs: { ...base.inputs, replay_mix: dataset.path } };
          break;
        }
        case "LoRA":
          input = { ...base, lora: experiment.lora };
          break;
      }
      if (!input) continue;
      const withOverrides = applyOverrides(
        input,
        experiment.training,
        experiment.strategy_training[strategy],
      );
      let compiledPlan = parseTrainingPlan(withOverrides, name);
      if (strategy === "mixture" && phase1Plan) {
        // Same number of steps as Phase 1 + Phase 2: with epochs this holds by construction (the union has
        // both phases' rows); with an explicit max_steps, the mixture gets the sum of both phases' steps.
        const p1Steps = phase1Plan.hyperparameters.max_steps;
        const p2Steps = parseTrainingPlan(applyOverrides(base, experiment.training), name).hyperparameters
          .max_steps;
        const own = experiment.strategy_training.mixture?.max_steps;
        if (own === undefined && p1Steps !== undefined && p2Steps !== undefined) {
          compiledPlan = {
            ...compiledPlan,
            hyperparameters: { ...compiledPlan.hyperparameters, max_steps: p1Steps + p2Steps },
          };
        }
      }
      if (strategy === "LoRA") {
        const { source, note } = loraLearningRate(experiment, compiledPlan);
        compiledPlan = { ...compiledPlan, inputs: { ...compiledPlan.inputs, learning_rate: source } };
        if (note) notes.push(note);
      }
      plans.push(compiledPlan);
    }
  }
  return { experiment: experiment.name, plans, skipped, pending, missingInputs: missingInputs(plans), notes };
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
