import { CftkitError, formatZodIssues } from "@cftkit/core";
import { z } from "zod";
import { readStructuredFile } from "./read-structured-file.js";
import {
  FREEZE_STRATEGY_NAMES,
  PAPER_STRATEGY_NAMES,
  REPLAY_STRATEGY_NAMES,
  STRATEGY_NAMES,
  type StrategyName,
} from "./strategy-catalogue.js";
import {
  HyperparametersSchema,
  LauncherSchema,
  LoraSchema,
  MAX_SEED,
  MAX_SEQUENCE_LEN,
  TrainingPlanSchema,
} from "./training-plan.js";

/**
 * The experiment file (`experiment.yaml`): the fields the trainer needs. The runner (`cftkit run`) extends
 * it with evaluation and report sections (`ExperimentSchema.extend({...})`). Unknown keys are refused at
 * every level (a typo such as `learning_rat` must not be ignored); the sections other commands read are
 * declared in `SECTIONS_READ_ELSEWHERE`, so a file written for `cftkit run` still validates here.
 */

/** The Phase-2 strategies (the paper's §5 plus the mixture baseline), from the strategy catalogue. */
export const EXPERIMENT_STRATEGIES = STRATEGY_NAMES;
export type ExperimentStrategy = StrategyName;
export const FREEZE_STRATEGIES: readonly ExperimentStrategy[] = FREEZE_STRATEGY_NAMES;
export const REPLAY_STRATEGIES: readonly ExperimentStrategy[] = REPLAY_STRATEGY_NAMES;

/** Who trains: Axolotl on a GPU machine, or the embedded CPU trainer (@cftkit/lm). */
export const TRAINING_BACKENDS = ["axolotl", "embedded"] as const;

/** `{ <strategy>: value? }` for a subset of the catalogue, unknown strategy names refused. */
function perStrategy<T extends z.ZodType>(names: readonly ExperimentStrategy[], value: T) {
  return z
    .object(Object.fromEntries(names.map((n) => [n, value.optional()])) as Record<string, z.ZodOptional<T>>)
    .strict();
}

/** A data file as written by `@cftkit/datasets` exports; paths are relative to the experiment file. */
export const ExperimentDatasetSchema = z
  .object({
    path: z.string().min(1),
    type: z.enum(["alpaca", "chat_template"]),
    field_messages: z.string().optional(),
  })
  .strict();
export type ExperimentDataset = z.infer<typeof ExperimentDatasetSchema>;

/** A replay mix (`@cftkit/replay` output): a path (chat_template rows) or a full dataset entry. */
export const ReplayInputSchema = z.union([
  z
    .string()
    .min(1)
    .transform((path): ExperimentDataset => ({ path, type: "chat_template" })),
  ExperimentDatasetSchema,
]);

/** A base model: a folder, a Hugging Face id, or a fresh embedded model `{ init: tiny | small }`. */
export const BaseModelSchema = z.union([
  z.string().min(1),
  z
    .object({ init: z.enum(["tiny", "small"]) })
    .strict()
    .transform((m) => `init:${m.init}`),
]);

export const Phase1Schema = z
  .object({
    /** English instruction data trained on the base model (Alpaca, OpenOrca, …) … */
    datasets: z.array(ExperimentDatasetSchema).min(1).optional(),
    /** … or an off-the-shelf instruct model used as the Phase-1 model ("Instruct"). */
    model: z.string().min(1).optional(),
  })
  .strict()
  .refine((p) => (p.datasets === undefined) !== (p.model === undefined), {
    message: "phase1 needs exactly one of `datasets` (train Phase 1) or `model` (an instruct model)",
  });

export const Phase2Schema = z
  .object({
    datasets: z.array(ExperimentDatasetSchema).min(1),
  })
  .strict();

/** One phase pair (e.g. Alpaca → MultiAlpaca) and the inputs its strategies need. */
export const SettingSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "setting names are used in file names: letters, digits, . _ -"),
    /** What the pair is, for report titles (e.g. "Alpaca → MultiAlpaca"). */
    description: z.string().optional(),
    phase1: Phase1Schema,
    phase2: Phase2Schema,
    /** Narrow the experiment's `strategies` for this setting (e.g. only the baseline for a similar pair). */
    strategies: z.array(z.enum(EXPERIMENT_STRATEGIES)).min(1).optional(),
    /** Freeze selections (`@cftkit/freeze` outputs: Spectrum-style YAML, `--json` output or a plain list). */
    selections: perStrategy(FREEZE_STRATEGIES, z.string()).default({}),
    /** Phase-2 data with replay mixed in (`@cftkit/replay` outputs). */
    replay: perStrategy(REPLAY_STRATEGIES, ReplayInputSchema).default({}),
  })
  .strict();
export type ExperimentSetting = z.infer<typeof SettingSchema>;

type WithoutDefaults<S extends z.ZodRawShape> = {
  [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer I> ? I : S[K]>;
};

/** Every field optional and WITHOUT its default (an override must only carry what the user wrote). */
function withoutDefaults<S extends z.ZodRawShape>(shape: S): WithoutDefaults<S> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : (schema as z.ZodType);
    out[key] = inner instanceof z.ZodOptional ? inner : inner.optional();
  }
  return out as WithoutDefaults<S>;
}

/** Hyper-parameter overrides (every field optional; the paper's values fill the rest). */
export const TrainingOverridesSchema = z
  .object(withoutDefaults(HyperparametersSchema.shape))
  .extend({
    sequence_len: z.number().int().positive().max(MAX_SEQUENCE_LEN).optional(),
    chat_template: z.string().optional(),
    attn_implementation: z.string().optional(),
    special_tokens: TrainingPlanSchema.shape.special_tokens,
  })
  .strict();
export type TrainingOverrides = z.infer<typeof TrainingOverridesSchema>;

/** The raw shape, for runners that build their own object schema from it. */
export const experimentShape = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "experiment names are used in paths: letters, digits, . _ -"),
  seed: z.number().int().nonnegative().max(MAX_SEED).default(42),
  backend: z.enum(TRAINING_BACKENDS).default("embedded"),
  /** Where every run's output goes (relative to the experiment file). */
  output_dir: z.string().min(1).default("runs"),
  base_model: BaseModelSchema,
  /** Setting names become plan names and output folders: two with one name would overwrite each other. */
  settings: z
    .array(SettingSchema)
    .min(1)
    .superRefine((settings, ctx) => {
      const seen = new Set<string>();
      for (const [i, s] of settings.entries()) {
        if (seen.has(s.name)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "name"],
            message: `duplicate setting name "${s.name}" (plans and output folders would collide)`,
          });
        }
        seen.add(s.name);
      }
    }),
  strategies: z
    .array(z.enum(EXPERIMENT_STRATEGIES))
    .min(1)
    .default([...PAPER_STRATEGY_NAMES]),
  /** Overrides applied to every plan. */
  training: TrainingOverridesSchema.default({}),
  /** Overrides for Phase 1 only (applied after `training`). */
  phase1_training: TrainingOverridesSchema.default({}),
  /** Overrides per strategy (applied last), e.g. `LoRA: { learning_rate: 2.0e-4 }`. */
  strategy_training: z.partialRecord(z.enum(EXPERIMENT_STRATEGIES), TrainingOverridesSchema).default({}),
  lora: LoraSchema.prefault({}),
  launcher: LauncherSchema.prefault({}),
};

/** Top-level sections of the same file that other commands read (`cftkit run`); the trainer skips them. */
export const SECTIONS_READ_ELSEWHERE = [
  "evaluation",
  "analysis",
  "replay_sources",
  "title",
  "report",
  "generation",
  "seeds",
] as const;

export const ExperimentSchema = z
  .object({
    ...experimentShape,
    ...(Object.fromEntries(SECTIONS_READ_ELSEWHERE.map((k) => [k, z.unknown().optional()])) as Record<
      (typeof SECTIONS_READ_ELSEWHERE)[number],
      z.ZodOptional<z.ZodUnknown>
    >),
  })
  .strict();
export type Experiment = z.infer<typeof ExperimentSchema>;
export type ExperimentInput = z.input<typeof ExperimentSchema>;

/** Validate an experiment object; bad input → `EXPERIMENT_INVALID` naming every offending key. */
export function parseExperiment(value: unknown, source = "experiment"): Experiment {
  const result = ExperimentSchema.safeParse(value);
  if (!result.success) {
    throw new CftkitError("EXPERIMENT_INVALID", `${source}: ${formatZodIssues(result.error)}`, {
      details: { issues: result.error.issues },
    });
  }
  return result.data;
}

/** Read and validate an experiment file (YAML, or JSON for `.json`). */
export async function readExperiment(path: string): Promise<Experiment> {
  const value = await readStructuredFile(path, "experiment", {
    notReadable: "EXPERIMENT_NOT_READABLE",
    invalid: "EXPERIMENT_INVALID",
  });
  return parseExperiment(value, path);
}
