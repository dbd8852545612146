import { resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { Command } from "commander";
import { type CommonOptions, printHuman, printJson, progress } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";
import { PIPELINE_STEPS, type PipelineStep } from "../run/run-pipeline.js";

function parseSteps(raw: string | undefined, flag: string): PipelineStep[] | undefined {
  if (raw === undefined) return undefined;
  const steps = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of steps) {
    if (!(PIPELINE_STEPS as readonly string[]).includes(s)) {
      throw new CftkitError(
        "CLI_BAD_STEP",
        `${flag}: unknown step "${s}" (steps: ${PIPELINE_STEPS.join(", ")})`,
      );
    }
  }
  return steps as PipelineStep[];
}

/** `cftkit run <experiment.yaml>`: the whole experiment, cached step by step, ending in the report. */
export const runCommand: CommandModule = {
  register(program: Command) {
    program
      .command("run")
      .description(
        "run an experiment end to end (data → DES → Phase 1 → freeze/replay → Phase 2 → evaluation → drift → report); re-runs reuse finished steps",
      )
      .argument("<experiment>", "experiment file (YAML); see examples/")
      .option("--only <steps>", `run only these steps (comma-separated: ${PIPELINE_STEPS.join(", ")})`)
      .option("--from <step>", "run this step and every later one")
      .option(
        "--dry-run",
        "print every training plan, Axolotl YAML and command of the experiment, and run nothing",
      )
      .option("--json", "print one JSON document (the results) on stdout; progress as JSON lines on stderr")
      .option("--quiet", "no progress on stderr")
      .action(
        async (path: string, options: CommonOptions & { only?: string; from?: string; dryRun?: boolean }) => {
          const { readRunExperiment } = await import("../run/run-experiment-schema.js");
          const experiment = await readRunExperiment(path);
          if (options.dryRun) {
            const { printDryRun } = await import("../run/dry-run.js");
            await printDryRun(experiment, path, options);
            return;
          }
          const from = parseSteps(options.from, "--from");
          const { runPipeline } = await import("../run/run-pipeline.js");
          const outcome = await runPipeline({
            experiment,
            experimentPath: resolve(path),
            only: parseSteps(options.only, "--only"),
            from: from?.[0],
            json: options.json,
            quiet: options.quiet,
            progress: progress(options),
          });
          if (options.json) printJson({ report: outcome.reportDir, results: outcome.results });
          else printHuman(options, `report: ${resolve(outcome.reportDir, "index.html")}`);
        },
      );
  },
};
