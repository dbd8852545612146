import { isAbsolute, relative, resolve } from "node:path";
import { DEEPSPEED_PRESETS } from "./axolotl-config.js";
import type { TrainingPlan } from "./training-plan.js";

/**
 * Plans written by `cftkit train plan` hold paths relative to the plan folder, so a plan folder made on one
 * machine runs on another (docs/hardening.md). A model reference is a local path only when it is absolute or
 * starts with `./` / `../` (anything else is a Hugging Face id), so relative model paths always carry one.
 */
export function isLocalReference(value: string): boolean {
  return (
    isAbsolute(value) || value.startsWith("./") || value.startsWith("../") || value === "." || value === ".."
  );
}

function relativeFrom(dir: string, path: string): string {
  const rel = relative(dir, path) || ".";
  return rel === "." || rel.startsWith("../") || rel === ".." ? rel : `./${rel}`;
}

function mapPlanPaths(
  plan: TrainingPlan,
  path: (p: string) => string,
  reference: (p: string) => string,
): TrainingPlan {
  const deepspeed = plan.launcher.deepspeed;
  const isPreset = deepspeed !== undefined && (DEEPSPEED_PRESETS as readonly string[]).includes(deepspeed);
  return {
    ...plan,
    base_model: reference(plan.base_model),
    datasets: plan.datasets.map((d) => ({ ...d, path: path(d.path) })),
    output_dir: path(plan.output_dir),
    freeze: plan.freeze?.source ? { ...plan.freeze, source: path(plan.freeze.source) } : plan.freeze,
    launcher: deepspeed && !isPreset ? { ...plan.launcher, deepspeed: path(deepspeed) } : plan.launcher,
    inputs: Object.fromEntries(Object.entries(plan.inputs).map(([k, v]) => [k, reference(v)])),
  };
}

/** The plan with every absolute path rewritten relative to `dir` (`./…` or `../…`). */
export function planRelativeTo(plan: TrainingPlan, dir: string): TrainingPlan {
  const rel = (p: string) => (isAbsolute(p) ? relativeFrom(dir, p) : p);
  return mapPlanPaths(plan, rel, rel);
}

/** The plan with its relative paths resolved against `dir` (the folder of the plan file). */
export function planResolvedFrom(plan: TrainingPlan, dir: string): TrainingPlan {
  return mapPlanPaths(
    plan,
    (p) => resolve(dir, p),
    (p) => (isLocalReference(p) ? resolve(dir, p) : p),
  );
}
