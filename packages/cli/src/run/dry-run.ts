import { dirname, resolve } from "node:path";
import { printable, shellComment } from "@cftkit/core";
import {
  axolotlConfigToYaml,
  buildAxolotlCommand,
  compileExperiment,
  formatCommand,
  planToAxolotlConfig,
} from "@cftkit/trainer";
import { type CommonOptions, printHuman, printJson } from "../cli-output.js";
import type { RunExperiment } from "./run-experiment-schema.js";

/** Print every plan of the experiment: for Axolotl, its YAML and the exact launch command. */
export async function printDryRun(
  experiment: RunExperiment,
  path: string,
  options: CommonOptions,
): Promise<void> {
  const compiled = await compileExperiment(experiment, {
    baseDir: dirname(resolve(path)),
    experimentPath: path,
  });
  const entries = compiled.plans.map((plan) => {
    // A freeze selection made after Phase 1 does not exist yet: show where its list will come from.
    const waiting = plan.freeze && !plan.freeze.unfrozen_parameters ? plan.freeze.source : undefined;
    const { config } = planToAxolotlConfig(waiting ? { ...plan, freeze: undefined } : plan);
    const yaml =
      axolotlConfigToYaml(config) +
      (waiting
        ? `unfrozen_parameters: # read from ${printable(waiting)} (cftkit freeze … on the Phase-1 model) when the plan runs
`
        : "");
    const command = formatCommand(buildAxolotlCommand(`${plan.name}.yml`, plan.launcher));
    return { plan: plan.name, strategy: plan.strategy, phase: plan.phase, yaml, command };
  });
  if (options.json) {
    printJson({
      experiment: experiment.name,
      backend: experiment.backend,
      plans: entries,
      skipped: compiled.skipped,
      pending: compiled.pending,
      missing_inputs: compiled.missingInputs,
      notes: compiled.notes,
    });
    return;
  }
  for (const e of entries) {
    printHuman(
      options,
      `${shellComment(`── ${e.plan} (phase ${e.phase}, ${e.strategy}) ──`)}\n${shellComment(e.command)}\n${e.yaml}`,
    );
  }
  for (const s of compiled.skipped)
    printHuman(options, shellComment(`skipped ${s.setting}.${s.strategy}: ${s.reason}`));
  for (const p of compiled.pending)
    printHuman(
      options,
      shellComment(`${p.plan} waits for ${p.waitingFor} (a freeze selection made after Phase 1)`),
    );
  for (const m of compiled.missingInputs)
    printHuman(options, shellComment(`missing input of ${m.plan} (${m.role}): ${m.path} does not exist yet`));
  for (const note of compiled.notes) printHuman(options, shellComment(`note: ${note}`));
}
