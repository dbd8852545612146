import { dirname, resolve } from "node:path";
import { printable, shellComment } from "@cftkit/core";
import {
  axolotlConfigToYaml,
  buildAxolotlCommand,
  compileExperiment,
  formatCommand,
  type MissingInput,
  planToAxolotlConfig,
  type SkippedPlan,
} from "@cftkit/trainer";
import { stringify as toYaml } from "yaml";
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
  /** Data files the plans read that do not exist yet (named as `train plan --json` names them). */
  missing_inputs: MissingInput[];
  /** Choices the plans make that a reader should know about (e.g. which learning rate LoRA uses). */
  notes: string[];
}

/**
 * What a run would do: the step table, and every plan — for Axolotl with its YAML and launch command, for
 * the embedded backend as the plan itself.
 */
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
    // The embedded backend trains in-process (a fresh `init:` model has no Axolotl form): show the plan.
    if (experiment.backend === "embedded") {
      return {
        plan: plan.name,
        strategy: plan.strategy,
        phase: plan.phase,
        yaml: toYaml(plan),
        command: "(embedded backend: trained in-process by `cftkit run`)",
      };
    }
    // A freeze selection made after Phase 1 does not exist yet: show where its list will come from.
    const waiting = plan.freeze && !plan.freeze.unfrozen_parameters ? plan.freeze.source : undefined;
    const { config } = planToAxolotlConfig(waiting ? { ...plan, freeze: undefined } : plan);
    const yaml =
      axolotlConfigToYaml(config) +
      (waiting
        ? `unfrozen_parameters: # read from ${printable(waiting)} (cftkit freeze … on the Phase-1 model) when the plan runs\n`
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
    missing_inputs: compiled.missingInputs,
    notes: compiled.notes,
  };
}

/**
 * The dry run as text: the step table, then each plan's command and YAML. Every comment goes through the
 * shared shell writer, so a path with a newline never starts a line of its own.
 */
export function formatDryRun(d: DryRun): string {
  const width = Math.max(...d.steps.map((s) => s.step.length));
  const lines = [shellComment(`steps of ${d.experiment} (backend ${d.backend}), in order:`)];
  for (const [i, s] of d.steps.entries())
    lines.push(shellComment(` ${String(i + 1).padStart(2)}. ${s.step.padEnd(width)}  ${s.summary}`));
  for (const e of d.plans)
    lines.push(
      `${shellComment(`── ${e.plan} (phase ${e.phase}, ${e.strategy}) ──`)}\n${shellComment(e.command)}\n${e.yaml}`,
    );
  for (const s of d.skipped) lines.push(shellComment(`skipped ${s.setting}.${s.strategy}: ${s.reason}`));
  for (const p of d.pending)
    lines.push(shellComment(`${p.plan} waits for ${p.waitingFor} (a freeze selection made after Phase 1)`));
  for (const m of d.missing_inputs)
    lines.push(shellComment(`missing input of ${m.plan} (${m.role}): ${m.path} does not exist yet`));
  for (const note of d.notes) lines.push(shellComment(`note: ${note}`));
  return lines.join("\n");
}
