import { join, relative, resolve } from "node:path";
import { CftkitError, type ProgressReporter, writeJsonAtomic } from "@cftkit/core";
import type { RunExperiment } from "./experiment-schema.js";
import { prepareRun } from "./prepare-run.js";
import { createRunContext } from "./run-context.js";
import type { ExperimentResults } from "./report/experiment-results.js";
import type { PipelineStep } from "./step.js";
import { listSteps } from "./step-cache.js";
import { STEP_TABLE } from "./step-table.js";
import { type StepSelection, walkSteps } from "./walker.js";

export interface RunExperimentOptions extends StepSelection {
  experiment: RunExperiment;
  /** The experiment file; relative paths in it resolve against its folder. */
  experimentPath: string;
  json?: boolean;
  quiet?: boolean;
  progress: ProgressReporter;
  /** Profile name recorded in the results (default: the experiment's `report.profile`). */
  profile?: string;
  /** Notes for the report (default: the experiment's `report.notes`). */
  notes?: string[];
  /** Another step table (tests, or a runner that adds steps); default STEP_TABLE. */
  table?: readonly PipelineStep[];
}

export interface RunOutcome {
  outDir: string;
  reportDir: string;
  /** Undefined when `--only` stopped before the report. */
  results?: ExperimentResults;
}

/**
 * `cftkit run`: walk the step table through the step cache. Every unit's outputs live in
 * `<output_dir>/steps/<unit>-<hash of its inputs>/`; a re-run reuses finished units and an interrupted
 * one resumes (training continues from its last checkpoint).
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunOutcome> {
  const ctx = await createRunContext(options);
  const state = await prepareRun(ctx);
  const table = options.table ?? STEP_TABLE;
  if (options.only?.length === 0) throw new CftkitError("CLI_BAD_STEP", "--only: name at least one step");
  await walkSteps(table, ctx, state, { only: options.only, from: options.from });
  // Paths relative to the run folder: the folder may be copied to another machine and finished there.
  const inRun = (path: string) => relative(ctx.outDir, path) || ".";
  await writeJsonAtomic(join(ctx.outDir, "manifest.json"), {
    experiment: inRun(resolve(options.experimentPath)),
    steps: await listSteps(join(ctx.outDir, "steps")),
    report: {
      html: inRun(join(ctx.reportDir, "index.html")),
      markdown: inRun(join(ctx.reportDir, "report.md")),
      results: inRun(join(ctx.reportDir, "results.json")),
    },
  });
  return { outDir: ctx.outDir, reportDir: ctx.reportDir, results: state.results };
}
