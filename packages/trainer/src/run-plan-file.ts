import { checkOptions, type ProgressReporter } from "@cftkit/core";
import type { z } from "zod";
import { type AxolotlRunResult, prepareAxolotlRun, runAxolotl } from "./axolotl-launcher.js";
import {
  type EmbeddedRunResult,
  type EmbeddedTrainSettings,
  planToTrainOptions,
  runEmbedded,
} from "./embedded-backend.js";
import { resolvePlanInputs } from "./freeze-selection.js";
import { describePreparedRun } from "./train-descriptions.js";
import { preparedRunDocument } from "./train-documents.js";
import { trainRunOptionsSchema } from "./train-run-options.js";
import { readTrainingPlan } from "./training-plan.js";

/** `runPlanFile`'s choices (trainRunOptionsSchema) and where a run reports as it goes. */
export type PlanFileRunOptions = z.input<typeof trainRunOptionsSchema> & {
  progress?: ProgressReporter;
  /** Axolotl's raw output as it arrives; with `verbose` and no callback it goes to stderr. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
};

/** What `runPlanFile` did, as the `cftkit train run --json` document: one shape per backend and mode. */
export type PlanFileRunDocument =
  | ReturnType<typeof preparedRunDocument>
  | { backend: "embedded"; plan: string; options: EmbeddedTrainSettings }
  | ({ backend: "axolotl"; plan: string } & AxolotlRunResult)
  | ({ backend: "embedded"; plan: string } & EmbeddedRunResult);

/**
 * Run one plan file with a backend (Axolotl, or the embedded CPU trainer), or with `dryRun` only show it:
 * the Axolotl YAML and exact command, or the embedded trainer's settings.
 */
export async function runPlanFile(
  planPath: string,
  options: PlanFileRunOptions = {},
): Promise<PlanFileRunDocument> {
  const { backend, dryRun, resume, axolotl, verbose } = checkOptions(
    trainRunOptionsSchema,
    options,
    "TRAIN_BAD_OPTION",
  );
  const plan = await readTrainingPlan(planPath);
  const launch = { executable: axolotl, resume };
  if (dryRun && backend === "axolotl") return preparedRunDocument(await prepareAxolotlRun(plan, launch));
  if (dryRun) {
    const settings = planToTrainOptions(await resolvePlanInputs(plan));
    return { backend: "embedded", plan: plan.name, options: settings };
  }
  if (backend === "axolotl") {
    const toStderr = verbose ? (_stream: string, text: string) => process.stderr.write(text) : undefined;
    const onOutput = options.onOutput ?? toStderr;
    const result = await runAxolotl(plan, { ...launch, progress: options.progress, onOutput });
    return { backend: "axolotl", plan: plan.name, ...result };
  }
  const result = await runEmbedded(plan, { progress: options.progress, resume });
  return { backend: "embedded", plan: plan.name, ...result };
}

/** A `runPlanFile` document in words: the dry run's files and command (or settings), or where a run left its model. */
export function describePlanFileRun(doc: PlanFileRunDocument): string[] {
  if ("yaml" in doc) {
    const { config_path, yaml, side_files, command } = doc;
    return describePreparedRun({
      configPath: config_path,
      yaml,
      sideFiles: side_files,
      commandLine: command,
    });
  }
  if ("options" in doc) return [JSON.stringify(doc.options, null, 2)];
  if (doc.backend === "axolotl") {
    const loss = doc.finalLoss !== undefined ? `, final loss ${doc.finalLoss}` : "";
    return [
      `${doc.plan}: done (${doc.metrics} metric lines${loss}); model in ${doc.artifacts.outputDir}, metrics in ${doc.metricsPath}`,
    ];
  }
  return [
    `${doc.plan}: ${doc.steps} steps, final loss ${doc.finalLoss.toFixed(4)}; model in ${doc.modelDir}, metrics in ${doc.metricsPath}`,
  ];
}
