import { CftkitError, formatZodIssues } from "@cftkit/core";
import { z } from "zod";
import { readStructuredFile } from "./read-structured-file.js";

import { HyperparametersSchema, LauncherSchema, LoraSchema, TrainingPlanSchema } from "./training-plan.js";

/**
 * The experiment file (`experiment.yaml`): the fields the trainer needs. The runner (`cftkit run`) extends
 * it with evaluation and report sections: use `experimentShape` / the exported pieces with `z.object({...})`
 * or `ExperimentSchema.extend({...})`. Unknown top-level sections are kept (the schema is `loose`), so a
 * file written for the runner still validates here.
 */

/** The Phase-2 strategies of the paper (§5) plus the mixture baseline. */
export const EXPERIMENT_STRATEGIES = [
  "baseline",
  "mixture",
  "LF_H1",
  "LF_H2",
  "Spectrum",
  "GR_5",
  "GR_10",
  "ER_10",
  "LoRA",
] as const;
export type ExperimentStrategy = (typeof EXPERIMENT_STRATEGIES)[number];
export const FREEZE_STRATEGIES = [
  "LF_H1",
  "LF_H2",
  "Spectrum",
] as const satisfies readonly ExperimentStrategy[];
export const REPLAY_STRATEGIES = ["GR_5", "GR_10", "ER_10"] as const satisfies readonly ExperimentStrategy[];

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
  .loose()
  .refine((p) => (p.datasets === undefined) !== (p.model === undefined), {
    message: "phase1 needs exactly one of `datasets` (train Phase 1) or `model` (an instruct model)",
  });

export const Phase2Schema = z
  .object({
    datasets: z.array(ExperimentDatasetSchema).min(1),
  })
  .loose();

/** One phase pair (e.g. Alpaca → MultiAlpaca) and the inputs its strategies need. */
export const SettingSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "setting names are used in file names: letters, digits, . _ -"),
    phase1: Phase1Schema,
    phase2: Phase2Schema,
    /** Freeze selections (`@cftkit/freeze` outputs: Spectrum-style YAML, `--json` output or a plain list). */
    selections: z
      .object({ LF_H1: z.string().optional(), LF_H2: z.string().optional(), Spectrum: z.string().optional() })
      .strict()
      .default({}),
    /** Phase-2 data with replay mixed in (`@cftkit/replay` outputs). */
    replay: z
      .object({
        GR_5: ReplayInputSchema.optional(),
        GR_10: ReplayInputSchema.optional(),
        ER_10: ReplayInputSchema.optional(),
      })
      .strict()
      .default({}),
  })
  .loose();
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
    sequence_len: z.number().int().positive().optional(),
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
  seed: z.number().int().nonnegative().default(42),
  backend: z.enum(["axolotl", "embedded"]).default("embedded"),
  /** Where every run's output goes (relative to the experiment file). */
  output_dir: z.string().min(1).default("runs"),
  base_model: BaseModelSchema,
  settings: z.array(SettingSchema).min(1),
  strategies: z
    .array(z.enum(EXPERIMENT_STRATEGIES))
    .min(1)
    .default([...EXPERIMENT_STRATEGIES]),
  /** Overrides applied to every plan. */
  training: TrainingOverridesSchema.default({}),
  /** Overrides for Phase 1 only (applied after `training`). */
  phase1_training: TrainingOverridesSchema.default({}),
  /** Overrides per strategy (applied last), e.g. `LoRA: { learning_rate: 2.0e-4 }`. */
  strategy_training: z.partialRecord(z.enum(EXPERIMENT_STRATEGIES), TrainingOverridesSchema).default({}),
  lora: LoraSchema.prefault({}),
  launcher: LauncherSchema.prefault({}),
};

export const ExperimentSchema = z.object(experimentShape).loose();
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
  const names = new Set<string>();
  for (const setting of result.data.settings) {
    if (names.has(setting.name)) {
      throw new CftkitError(
        "EXPERIMENT_INVALID",
        `${source}: settings: duplicate setting name "${setting.name}"`,
      );
    }
    names.add(setting.name);
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
