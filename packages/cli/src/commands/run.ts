import { experimentFileOptionsSchema } from "@cftkit/runner/experiment-file-options";
import { printResult, progress } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

/** `cftkit run <experiment.yaml>`: the whole experiment, cached step by step, ending in the report. */
const run = defineCommand({
  path: ["run"],
  description:
    "run an experiment end to end (data → DES → Phase 1 → freeze/replay → Phase 2 → evaluation → drift → report); re-runs reuse finished steps",
  examples: ["cftkit run examples/cpu-tiny.yaml", "cftkit run examples/cpu-tiny.yaml --dry-run"],
  args: { experiment: pathParam("<experiment>", "experiment file (YAML); see examples/", "input") },
  options: optionsFrom(experimentFileOptionsSchema, { only: "steps", from: "step" }),
  async run(options) {
    const { describeExperimentRun, experimentRunDocument, runExperimentFile } = await import(
      "@cftkit/runner"
    );
    const run = await runExperimentFile(options.experiment, { ...options, progress: progress(options) });
    printResult(options, experimentRunDocument(run), () => describeExperimentRun(run));
  },
});

export const runCommands = [run];
