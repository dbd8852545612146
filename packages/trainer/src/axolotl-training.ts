import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AxolotlRunOptions } from "./axolotl-launcher.js";
import { runAxolotl } from "./axolotl-launcher.js";
import { AxolotlLogParser } from "./axolotl-log-parser.js";
import { runAxolotlProcess } from "./axolotl-process.js";
import { resolvePlanInputs } from "./freeze-selection.js";
import { assertUnfrozenCheck, checkTrainable, type UnfrozenCheck } from "./rehearse/unfrozen-check.js";
import type { TrainingPlan } from "./training-plan.js";

export type AxolotlTrainingOptions = Pick<
  AxolotlRunOptions,
  "env" | "progress" | "signal" | "onOutput" | "executable"
>;

export interface AxolotlTrainingOutcome {
  /** The trained model: output_dir, or `<output_dir>/merged` for LoRA. */
  modelDir: string;
  outputDir: string;
  configPath: string;
  steps: number;
  finalLoss: number;
  metricsPath: string;
  /** From the pre-launch check; null when the base model is not a local folder (a hub id). */
  trainable: number | null;
  total: number | null;
  resumedFrom?: string;
}

/**
 * What a plan will train, checked on the base checkpoint before any GPU time is spent: `unfrozen_parameters`
 * that match nothing or freeze everything are refused (as `cftkit train rehearse --check`). Null when the base
 * model is a hub id (nothing local to check against).
 */
export async function checkPlanTrainable(plan: TrainingPlan): Promise<UnfrozenCheck | null> {
  if (!existsSync(join(plan.base_model, "config.json"))) return null;
  const resolved = await resolvePlanInputs(plan);
  const lora = resolved.lora;
  const check = await checkTrainable(plan.base_model, {
    unfrozenParameters: resolved.freeze?.unfrozen_parameters,
    lora: lora
      ? {
          r: lora.r,
          alpha: lora.alpha,
          dropout: lora.dropout,
          targetModules: lora.target_modules ?? ["all-linear"],
        }
      : undefined,
  });
  assertUnfrozenCheck(check, plan.name);
  return check;
}

/** `axolotl merge-lora <config>` without a shell: writes `<output_dir>/merged`. */
export async function runAxolotlMergeLora(
  configPath: string,
  outputDir: string,
  options: AxolotlTrainingOptions = {},
): Promise<string> {
  const executable = options.executable ?? process.env.CFTKIT_AXOLOTL ?? "axolotl";
  const { failure } = await runAxolotlProcess(
    executable,
    ["merge-lora", configPath],
    new AxolotlLogParser(),
    {
      env: options.env,
      signal: options.signal,
      onText: options.onOutput,
    },
  );
  if (failure) throw failure;
  return join(outputDir, "merged");
}

/**
 * Train one plan with Axolotl end to end: check what trains, write the config and launch `axolotl train`
 * through the shell-less launcher (resuming from the newest checkpoint when one exists), then for LoRA
 * `axolotl merge-lora`, so the result is always a complete model folder.
 */
export async function trainWithAxolotl(
  plan: TrainingPlan,
  options: AxolotlTrainingOptions = {},
): Promise<AxolotlTrainingOutcome> {
  const check = await checkPlanTrainable(plan);
  const run = await runAxolotl(plan, { ...options, resume: true });
  const modelDir = plan.lora
    ? await runAxolotlMergeLora(run.configPath, plan.output_dir, options)
    : plan.output_dir;
  const history = run.artifacts.logHistory ?? [];
  const lastStep = [...history].reverse().find((e) => typeof e.step === "number")?.step as number | undefined;
  return {
    modelDir,
    outputDir: plan.output_dir,
    configPath: run.configPath,
    steps: lastStep ?? run.metrics,
    finalLoss: run.finalLoss ?? Number.NaN,
    metricsPath: run.metricsPath,
    trainable: check?.trainableParameters ?? null,
    total: check?.totalParameters ?? null,
    ...(run.resumedFrom ? { resumedFrom: run.resumedFrom } : {}),
  };
}
