import { resolve } from "node:path";
import { printHuman, printJson, printResult, progress } from "../cli-output.js";
import { defineCommand, flag, list, param, pathParam, text } from "../define-command.js";

/** `--only a,b` / `--from a`: step names from the runner's step table (loaded when the command runs). */
async function checkSteps(names: string[] | undefined, flag: string): Promise<string[] | undefined> {
  if (names === undefined) return undefined;
  const { checkStepNames, STEP_TABLE } = await import("@cftkit/runner");
  return checkStepNames(STEP_TABLE, names, flag);
}

/** `cftkit run <experiment.yaml>`: the whole experiment, cached step by step, ending in the report. */
const run = defineCommand({
  path: ["run"],
  description:
    "run an experiment end to end (data → DES → Phase 1 → freeze/replay → Phase 2 → evaluation → drift → report); re-runs reuse finished steps",
  examples: ["cftkit run examples/cpu-tiny.yaml", "cftkit run examples/cpu-tiny.yaml --dry-run"],
  args: { experiment: pathParam("<experiment>", "experiment file (YAML); see examples/", "input") },
  options: {
    only: param(
      "--only <steps>",
      "run only these steps, comma-separated (`--dry-run` lists the step table)",
      list(text()).optional(),
    ),
    from: param("--from <step>", "run this step and every later one", text().optional()),
    dryRun: param(
      "--dry-run",
      "print the step table and every training plan, Axolotl YAML and command of the experiment, and run nothing",
      flag(),
    ),
  },
  async run(options) {
    const { dryRun, formatDryRun, readRunExperiment, runExperiment } = await import("@cftkit/runner");
    const path = options.experiment;
    const experiment = await readRunExperiment(path);
    if (options.dryRun) {
      const plan = await dryRun(experiment, path);
      return printResult(options, plan, () => formatDryRun(plan));
    }
    const from = await checkSteps(options.from === undefined ? undefined : [options.from], "--from");
    const outcome = await runExperiment({
      experiment,
      experimentPath: resolve(path),
      only: await checkSteps(options.only, "--only"),
      from: from?.[0],
      json: options.json,
      quiet: options.quiet,
      progress: progress(options),
    });
    if (options.json) printJson({ report: outcome.reportDir, results: outcome.results });
    else if (outcome.results) printHuman(options, `report: ${resolve(outcome.reportDir, "index.html")}`);
    else printHuman(options, `steps done; no report yet (run the remaining steps): ${outcome.outDir}`);
  },
});

export const runCommands = [run];
