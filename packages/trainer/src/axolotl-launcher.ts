import { existsSync } from "node:fs";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CftkitError, type ProgressReporter, silentProgress, writeFileAtomic } from "@cftkit/core";
import { type AxolotlCommand, buildAxolotlCommand, formatCommand } from "./axolotl-command.js";
import { axolotlConfigToYaml, planToAxolotlConfig } from "./axolotl-config.js";
import { AxolotlLogParser, metricToJson, type TrainingMetric } from "./axolotl-log-parser.js";
import { runAxolotlProcess } from "./axolotl-process.js";
import { resolvePlanInputs } from "./freeze-selection.js";
import {
  collectArtifacts,
  describeMissingModel,
  findLastCheckpoint,
  type TrainingArtifacts,
} from "./training-artifacts.js";
import type { TrainingPlan } from "./training-plan.js";

export interface PreparedAxolotlRun {
  plan: TrainingPlan;
  configPath: string;
  yaml: string;
  command: AxolotlCommand;
  /** The command as one shell line (for display and commands.sh). */
  commandLine: string;
  sideFiles: { path: string; content: string }[];
  resumeFrom?: string;
}

export interface AxolotlRunOptions {
  /** Where the config goes (default `<output_dir>/axolotl.yml`). */
  configPath?: string;
  /** The Axolotl executable (default `$CFTKIT_AXOLOTL` or `axolotl`, looked up on PATH). */
  executable?: string;
  /** Resume from the newest `checkpoint-N` in output_dir when there is one (default true). */
  resume?: boolean;
  env?: NodeJS.ProcessEnv;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  onMetric?: (metric: TrainingMetric) => void;
  /** Raw output as it arrives (the CLI passes it through with --verbose). */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

export interface AxolotlRunResult {
  configPath: string;
  commandLine: string;
  exitCode: number;
  metricsPath: string;
  logPath: string;
  metrics: number;
  finalLoss?: number;
  evalLoss?: number;
  resumedFrom?: string;
  artifacts: TrainingArtifacts;
}

/** Build the config text, side files and exact command of a plan without running anything. */
export async function prepareAxolotlRun(
  plan: TrainingPlan,
  options: Pick<AxolotlRunOptions, "configPath" | "executable" | "resume"> = {},
): Promise<PreparedAxolotlRun> {
  const resolved = await resolvePlanInputs(plan);
  const configPath = options.configPath ?? join(resolved.output_dir, "axolotl.yml");
  const resumeFrom = options.resume === false ? undefined : await findLastCheckpoint(resolved.output_dir);
  const { config, sideFiles } = planToAxolotlConfig(resolved, {
    configDir: join(configPath, ".."),
    resumeFromCheckpoint: resumeFrom,
  });
  const yaml = axolotlConfigToYaml(config, `cftkit plan ${resolved.name} (strategy ${resolved.strategy})`);
  const command = buildAxolotlCommand(configPath, resolved.launcher, {
    executable: options.executable ?? process.env.CFTKIT_AXOLOTL ?? "axolotl",
  });
  return {
    plan: resolved,
    configPath,
    yaml,
    command,
    commandLine: formatCommand(command),
    sideFiles,
    resumeFrom,
  };
}

/**
 * Run one plan with Axolotl: write the config, launch `axolotl train` without a shell, stream and parse
 * its output into a progress bar and `<output_dir>/metrics.jsonl` (one JSON object per logged step,
 * appended as it arrives; `axolotl.log` keeps the raw output), explain failures, and collect the
 * artifacts. Re-running after an interruption resumes from the last `checkpoint-N`.
 */
export async function runAxolotl(
  plan: TrainingPlan,
  options: AxolotlRunOptions = {},
): Promise<AxolotlRunResult> {
  const prepared = await prepareAxolotlRun(plan, options);
  const outputDir = prepared.plan.output_dir;
  for (const d of prepared.plan.datasets) {
    if (!existsSync(d.path)) {
      throw new CftkitError("TRAIN_DATASET_MISSING", `${plan.name}: dataset ${d.path} does not exist`);
    }
  }
  await mkdir(outputDir, { recursive: true });
  for (const f of prepared.sideFiles) await writeFileAtomic(f.path, f.content);
  await writeFileAtomic(prepared.configPath, prepared.yaml);
  const metricsPath = join(outputDir, "metrics.jsonl");
  const logPath = join(outputDir, "axolotl.log");
  if (!prepared.resumeFrom) {
    await writeFile(metricsPath, "");
    await writeFile(logPath, "");
  }
  const progress = options.progress ?? silentProgress;
  let lastLoss: number | undefined;
  let evalLoss: number | undefined;
  let writes: Promise<void> = Promise.resolve();
  const enqueue = (path: string, text: string) => {
    writes = writes.then(() => appendFile(path, text));
  };
  const parser = new AxolotlLogParser({
    onMetric: (m) => {
      enqueue(metricsPath, `${JSON.stringify(metricToJson(m))}\n`);
      const loss = m.values.loss;
      if (m.type === "train" && typeof loss === "number") lastLoss = loss;
      const el = m.values.eval_loss;
      if (typeof el === "number") evalLoss = el;
      options.onMetric?.(m);
    },
    onProgress: (p) => {
      const values: Record<string, number> = {};
      if (lastLoss !== undefined) values.loss = lastLoss;
      progress.update({ done: p.done, total: p.total, values });
    },
  });

  progress.start(`train ${plan.name}`);
  const { exitCode, failure } = await runAxolotlProcess(
    prepared.command.command,
    prepared.command.args,
    parser,
    {
      env: options.env,
      signal: options.signal,
      onText: (stream, text) => {
        enqueue(logPath, text);
        options.onOutput?.(stream, text);
      },
    },
  );
  progress.stop();
  await writes;
  if (failure) {
    failure.details.metricsPath = metricsPath;
    failure.details.logPath = logPath;
    throw failure;
  }
  const artifacts = await collectArtifacts(outputDir);
  if (!artifacts.complete) {
    // Axolotl exited 0 but left no model: say what is missing instead of "done".
    throw new CftkitError(
      "TRAIN_NO_MODEL",
      `${plan.name}: axolotl exited 0 but wrote no model: ${describeMissingModel(artifacts)}. Metrics: ${metricsPath}; log: ${logPath}`,
      { exitCode: 1, details: { metricsPath, logPath, outputDir } },
    );
  }
  return {
    configPath: prepared.configPath,
    commandLine: prepared.commandLine,
    exitCode: exitCode ?? 0,
    metricsPath,
    logPath,
    metrics: parser.metrics.length,
    finalLoss: lastLoss,
    evalLoss,
    resumedFrom: prepared.resumeFrom,
    artifacts,
  };
}
