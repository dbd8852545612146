import { resolve } from "node:path";
import type { Command } from "commander";
import { type CommonOptions, printHuman, printJson, progress } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

/** `--only a,b` / `--from a`: step names from the runner's step table (loaded when the command runs). */
async function parseSteps(raw: string | undefined, flag: string): Promise<string[] | undefined> {
  if (raw === undefined) return undefined;
  const { checkStepNames, STEP_TABLE } = await import("@cftkit/runner");
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return checkStepNames(STEP_TABLE, names, flag);
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
      .option("--only <steps>", "run only these steps, comma-separated (`--dry-run` lists the step table)")
      .option("--from <step>", "run this step and every later one")
      .option(
        "--dry-run",
        "print the step table and every training plan, Axolotl YAML and command of the experiment, and run nothing",
      )
      .option("--json", "print one JSON document (the results) on stdout; progress as JSON lines on stderr")
      .option("--quiet", "no progress on stderr")
      .action(
        async (path: string, options: CommonOptions & { only?: string; from?: string; dryRun?: boolean }) => {
          const { dryRun, formatDryRun, readRunExperiment, runExperiment } = await import("@cftkit/runner");
          const experiment = await readRunExperiment(path);
          if (options.dryRun) {
            const plan = await dryRun(experiment, path);
            if (options.json) printJson(plan);
            else printHuman(options, formatDryRun(plan));
            return;
          }
          const from = await parseSteps(options.from, "--from");
          const outcome = await runExperiment({
            experiment,
            experimentPath: resolve(path),
            only: await parseSteps(options.only, "--only"),
            from: from?.[0],
            json: options.json,
            quiet: options.quiet,
            progress: progress(options),
          });
          if (options.json) printJson({ report: outcome.reportDir, results: outcome.results });
          else if (outcome.results)
            printHuman(options, `report: ${resolve(outcome.reportDir, "index.html")}`);
          else printHuman(options, `steps done; no report yet (run the remaining steps): ${outcome.outDir}`);
        },
      );
  },
};
