import { checkOptions, writeFileAtomic } from "@cftkit/core";
import { z } from "zod";
import type { PreparedAxolotlRun } from "./axolotl-launcher.js";
import { type ParsedAxolotlLog, readAxolotlLogFile } from "./axolotl-log-file.js";
import { metricToJson } from "./axolotl-log-parser.js";
import type { PlanGrid } from "./plan-grid.js";
import type { RehearseResult } from "./rehearse/rehearse.js";

/** The JSON documents of `cftkit train plan|run --dry-run|logs` (snake_case keys, nulls for what is absent). */

/** A written plan grid: every plan, what it waits for, and what was skipped or is missing. */
export function planGridDocument(grid: PlanGrid) {
  return {
    out: grid.outDir,
    commands: grid.commandsPath,
    plans: grid.entries.map((e) => ({
      name: e.name,
      setting: e.setting,
      strategy: e.strategy,
      phase: e.phase,
      plan: e.planPath,
      axolotl_config: e.axolotlConfigPath ?? null,
      command: e.command ?? null,
      pending_input: e.pendingInput ?? null,
      depends_on: e.dependsOn,
    })),
    skipped: grid.skipped,
    missing_inputs: grid.missingInputs,
    notes: grid.notes,
  };
}

/** `writeExperimentPlans`' result as the `cftkit train plan --json` document: the experiment, its backend, the grid. */
export function experimentPlansDocument(written: { experiment: string; backend: string; grid: PlanGrid }) {
  return { experiment: written.experiment, backend: written.backend, ...planGridDocument(written.grid) };
}

/** An Axolotl run as it would be launched: its config, side files and the exact command. */
export function preparedRunDocument(prepared: PreparedAxolotlRun) {
  return {
    backend: "axolotl",
    plan: prepared.plan.name,
    config_path: prepared.configPath,
    yaml: prepared.yaml,
    command: prepared.commandLine,
    argv: [prepared.command.command, ...prepared.command.args],
    side_files: prepared.sideFiles,
    resume_from: prepared.resumeFrom ?? null,
  };
}

/** A parsed Axolotl log: its metrics as JSON, counted by type, the progress bar and failure signatures. */
export function axolotlLogDocument(parsed: ParsedAxolotlLog) {
  const count = (type: string) => parsed.metrics.filter((m) => m.type === type).length;
  return {
    metrics: parsed.metrics.map(metricToJson),
    counts: { train: count("train"), eval: count("eval"), summary: count("summary") },
    progress: parsed.progress ?? null,
    failure_signals: parsed.signals,
  };
}

/** Where `axolotlLogFileDocument` also writes the metrics (`cftkit train logs --out`). */
export const axolotlLogFileOptionsSchema = z.object({
  metricsOut: z
    .string()
    .min(1)
    .meta({ path: "output-file" })
    .optional()
    .describe("also write the metrics as JSON lines"),
});

/**
 * A saved Axolotl log file as the `cftkit train logs` document (axolotlLogDocument, naming the file); with
 * `metricsOut` its metrics are also written there as JSON lines.
 */
export async function axolotlLogFileDocument(
  file: string,
  options: z.input<typeof axolotlLogFileOptionsSchema> = {},
) {
  checkOptions(axolotlLogFileOptionsSchema, options, "TRAIN_BAD_OPTION");
  const doc = axolotlLogDocument(await readAxolotlLogFile(file));
  if (options.metricsOut) await writeMetricsJsonl(options.metricsOut, doc.metrics);
  return { file, ...doc };
}

/** Metrics as JSON lines (atomically). */
export async function writeMetricsJsonl(path: string, metrics: Record<string, unknown>[]): Promise<void> {
  await writeFileAtomic(path, metrics.map((m) => `${JSON.stringify(m)}\n`).join(""));
}

/** The `train rehearse --json` document: what ran and, for a check, what trains. */
export function rehearsalDocument(result: RehearseResult) {
  return {
    mode: result.mode,
    output_dir: result.outputDir,
    trainable_parameters: result.check.trainableParameters,
    total_parameters: result.check.totalParameters,
    patterns: result.check.patterns,
    warnings: result.check.warnings,
    unsupported: result.unsupported,
    hardware_only: result.hardwareOnly,
    steps: result.steps,
    final_loss: result.finalLoss,
    merged_dir: result.mergedDir,
  };
}
