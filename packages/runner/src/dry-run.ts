import { dirname, resolve } from "node:path";
import {
  axolotlConfigToYaml,
  buildAxolotlCommand,
  compileExperiment,
  formatCommand,
  planToAxolotlConfig,
  type SkippedPlan,
} from "@cftkit/trainer";
import type { RunExperiment } from "./experiment-schema.js";
import type { PipelineStep } from "./step.js";
import { STEP_TABLE } from "./step-table.js";

export interface DryRun {
  experiment: string;
  backend: string;
  /** The step table, in the order the run walks it. */
  steps: { step: string; summary: string }[];
  plans: { plan: string; strategy: string; phase: 1 | 2 | "mixture"; yaml: string; command: string }[];
  skipped: SkippedPlan[];
  pending: { plan: string; waitingFor: string }[];
}

/** What a run would do: the step table, and every plan with its Axolotl YAML and launch command. */
export async function dryRun(
  experiment: RunExperiment,
  path: string,
  table: readonly PipelineStep[] = STEP_TABLE,
): Promise<DryRun> {
  const compiled = await compileExperiment(experiment, {
    baseDir: dirname(resolve(path)),
    experimentPath: path,
  });
  const plans = compiled.plans.map((plan) => {
    // A freeze selection made after Phase 1 does not exist yet: show where its list will come from.
    const waiting = plan.freeze && !plan.freeze.unfrozen_parameters ? plan.freeze.source : undefined;
    const { config } = planToAxolotlConfig(waiting ? { ...plan, freeze: undefined } : plan);
    const yaml =
      axolotlConfigToYaml(config) +
      (waiting
        ? `unfrozen_parameters: # read from ${waiting} (cftkit freeze … on the Phase-1 model) when the plan runs\n`
        : "");
    const command = formatCommand(buildAxolotlCommand(`${plan.name}.yml`, plan.launcher));
    return { plan: plan.name, strategy: plan.strategy, phase: plan.phase, yaml, command };
  });
  return {
    experiment: experiment.name,
    backend: experiment.backend,
    steps: table.map((s) => ({ step: s.name, summary: s.summary })),
    plans,
    skipped: compiled.skipped,
    pending: compiled.pending,
  };
}

/** The dry run as text: the step table, then each plan's command and YAML. */
export function formatDryRun(d: DryRun): string {
  const width = Math.max(...d.steps.map((s) => s.step.length));
  const lines = [`# steps of ${d.experiment} (backend ${d.backend}), in order:`];
  for (const [i, s] of d.steps.entries())
    lines.push(`#  ${String(i + 1).padStart(2)}. ${s.step.padEnd(width)}  ${s.summary}`);
  for (const e of d.plans)
    lines.push(`# ── ${e.plan} (phase ${e.phase}, ${e.strategy}) ──\n# ${e.command}\n${e.yaml}`);
  for (const s of d.skipped) lines.push(`# skipped ${s.setting}.${s.strategy}: ${s.reason}`);
  for (const p of d.pending)
    lines.push(`# ${p.plan} waits for ${p.waitingFor} (a freeze selection made after Phase 1)`);
  return lines.join("\n");
}
