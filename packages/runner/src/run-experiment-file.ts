import { resolve } from "node:path";
import type { ProgressReporter } from "@cftkit/core";
import { type DryRun, dryRun, formatDryRun } from "./dry-run.js";
import { readRunExperiment } from "./experiment-schema.js";
import type { ExperimentResults } from "./report/experiment-results.js";
import { type RunOutcome, runExperiment } from "./run-experiment.js";
import { STEP_TABLE } from "./step-table.js";
import { checkStepNames, type StepSelection } from "./walker.js";

export interface ExperimentFileOptions extends StepSelection {
  /** List the step table and every plan, and run nothing. */
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  progress: ProgressReporter;
}

/** What `runExperimentFile` did: the dry run's listing, or the run's outcome. */
export type ExperimentFileRun = { dryRun: DryRun } | { outcome: RunOutcome };

/**
 * `cftkit run`: read an experiment file, then list what it would do (`dryRun`) or run its steps through the
 * step cache (`only` / `from` name steps of the table; an unknown name is refused before anything runs).
 */
export async function runExperimentFile(
  path: string,
  options: ExperimentFileOptions,
): Promise<ExperimentFileRun> {
  const experiment = await readRunExperiment(path);
  if (options.dryRun) return { dryRun: await dryRun(experiment, path) };
  const from = options.from === undefined ? undefined : checkStepNames(STEP_TABLE, [options.from], "--from");
  const outcome = await runExperiment({
    experiment,
    experimentPath: resolve(path),
    only: options.only === undefined ? undefined : checkStepNames(STEP_TABLE, options.only, "--only"),
    from: from?.[0],
    json: options.json,
    quiet: options.quiet,
    progress: options.progress,
  });
  return { outcome };
}

/** The `cftkit run --json` document: the dry run's listing, or where the report is and its results. */
export function experimentRunDocument(
  run: ExperimentFileRun,
): DryRun | { report: string; results?: ExperimentResults } {
  if ("dryRun" in run) return run.dryRun;
  return { report: run.outcome.reportDir, results: run.outcome.results };
}

/** The run in words: the dry run's listing, the report's page, or what is left to run. */
export function describeExperimentRun(run: ExperimentFileRun): string {
  if ("dryRun" in run) return formatDryRun(run.dryRun);
  const { outcome } = run;
  if (outcome.results) return `report: ${resolve(outcome.reportDir, "index.html")}`;
  return `steps done; no report yet (run the remaining steps): ${outcome.outDir}`;
}
