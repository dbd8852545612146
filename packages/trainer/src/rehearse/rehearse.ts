import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { CftkitError, type ProgressReporter } from "@cftkit/core";
import type { TrainMetrics, TrainOptions } from "@cftkit/lm";
import { readStructuredFile } from "../read-structured-file.js";
import { readTrainingExamples, splitValidation, type TrainingExampleRow } from "../training-data.js";
import type { z } from "zod";
import type { rehearseOptionsSchema } from "./rehearse-options.js";
import { type ParsedRehearsal, parseRehearsalConfig, type RehearsalSettings } from "./rehearsal-settings.js";
import { metricsDictLine, tqdmLine } from "./trainer-log-lines.js";
import { assertUnfrozenCheck, checkTrainable, type UnfrozenCheck } from "./unfrozen-check.js";

/** `mergeLora`, `check` and `ignoreUnsupported` (rehearseOptionsSchema), and where the output goes. */
export interface RehearseOptions extends z.input<typeof rehearseOptionsSchema> {
  /** Trainer output (tqdm bars, metric dicts, status lines). */
  write?: (line: string) => void;
  /** Stop after this many optimizer steps (tests: an interrupted run). */
  stopAfterSteps?: number;
}

export interface RehearseResult {
  mode: "check" | "train" | "merge-lora";
  outputDir: string;
  check: UnfrozenCheck;
  unsupported: string[];
  hardwareOnly: string[];
  steps?: number;
  finalLoss?: number;
  resumedFromStep?: number;
  mergedDir?: string;
}

/** Read and parse an Axolotl config; refuse unsupported keys unless asked to go on. */
export async function readRehearsalConfig(
  configPath: string,
  ignoreUnsupported = false,
): Promise<ParsedRehearsal> {
  const raw = await readStructuredFile(configPath, "Axolotl config", {
    notReadable: "TRAIN_REHEARSE_CONFIG_MISSING",
    invalid: "TRAIN_REHEARSE_CONFIG",
  });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new CftkitError("TRAIN_REHEARSE_CONFIG", `${configPath}: expected a YAML mapping`);
  const parsed = parseRehearsalConfig(raw as Record<string, unknown>);
  if (parsed.unsupported.length > 0 && !ignoreUnsupported)
    throw new CftkitError(
      "TRAIN_REHEARSE_UNSUPPORTED",
      `${configPath}: the embedded trainer cannot honour: ${parsed.unsupported.join(", ")} (--ignore-unsupported runs without them)`,
      { details: { unsupported: parsed.unsupported } },
    );
  if (!existsSync(join(parsed.settings.baseModel, "config.json")))
    throw new CftkitError(
      "TRAIN_REHEARSE_BASE_MODEL",
      `${configPath}: base_model ${parsed.settings.baseModel} is not a local model folder (config.json); a rehearsal runs small local models`,
    );
  return parsed;
}

/** What trains under the config: `unfrozen_parameters`, the LoRA matrices, or every tensor. */
async function trainableCheck(s: RehearsalSettings): Promise<UnfrozenCheck> {
  return checkTrainable(s.baseModel, { unfrozenParameters: s.unfrozenParameters, lora: s.lora });
}

export function formatCheck(check: UnfrozenCheck): string[] {
  const lines = check.patterns.map(
    (p) =>
      `pattern ${JSON.stringify(p.pattern)}: ${p.matches.length} tensor(s)${p.matches.length ? ` — ${p.matches.join(", ")}` : ""}`,
  );
  const pct = check.totalParameters > 0 ? (100 * check.trainableParameters) / check.totalParameters : 0;
  lines.push(
    `trainable params: ${check.trainableParameters} || all params: ${check.totalParameters} || trainable%: ${pct.toFixed(4)}`,
  );
  for (const w of check.warnings) lines.push(`warning: ${w}`);
  for (const p of check.problems) lines.push(`problem: ${p}`);
  return lines;
}

/**
 * Run an Axolotl config with the embedded CPU trainer, as `axolotl train` would on a GPU: same data, batch
 * layout, schedule and checkpoints, Trainer-format output, an Axolotl-like output folder (LoRA: the adapter
 * only, `--merge-lora` writes `<output_dir>/merged`). `--check` only reports what would train.
 */
export async function rehearseAxolotlConfig(
  configPath: string,
  options: RehearseOptions = {},
): Promise<RehearseResult> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const parsed = await readRehearsalConfig(configPath, options.ignoreUnsupported);
  const s = parsed.settings;
  if (parsed.unsupported.length > 0)
    write(`warning: ignoring unsupported keys: ${parsed.unsupported.join(", ")}`);
  if (parsed.hardwareOnly.length > 0)
    write(`note: GPU-only keys left out on CPU: ${parsed.hardwareOnly.join(", ")}`);
  const check = await trainableCheck(s);
  const base = {
    outputDir: s.outputDir,
    check,
    unsupported: parsed.unsupported,
    hardwareOnly: parsed.hardwareOnly,
  };
  // Axolotl's own warning (utils/freeze.py), which the launcher's failure diagnosis recognises.
  if (check.trainableParameters === 0) write("All parameters are frozen. Model will not be trained.");
  if (options.check) {
    for (const line of formatCheck(check)) write(line);
    assertUnfrozenCheck(check, configPath);
    return { mode: "check", ...base };
  }
  assertUnfrozenCheck(check, configPath);
  if (options.mergeLora) {
    if (!s.lora)
      throw new CftkitError("TRAIN_REHEARSE_NOT_LORA", `${configPath}: merge-lora needs adapter: lora`);
    const { mergeLoraAdapter } = await import("@cftkit/lm");
    const mergedDir = join(s.outputDir, "merged");
    const merged = await mergeLoraAdapter({
      baseModelDir: s.baseModel,
      adapterDir: s.outputDir,
      outDir: mergedDir,
    });
    write(
      `Saving merged model to: ${mergedDir} (${merged.mergedModules} LoRA modules, scaling ${merged.scaling})`,
    );
    return { mode: "merge-lora", ...base, mergedDir };
  }
  return { mode: "train", ...base, ...(await train(s, options, write)) };
}

async function loadExamples(
  s: RehearsalSettings,
): Promise<{ train: TrainingExampleRow[]; validation: TrainingExampleRow[] }> {
  const all: TrainingExampleRow[] = [];
  for (const d of s.datasets) all.push(...(await readTrainingExamples(d)));
  if (all.length === 0) throw new CftkitError("TRAIN_DATASET_EMPTY", "the datasets hold no rows");
  return splitValidation(all, s.valSetSize, s.seed);
}

function saveEvery(s: RehearsalSettings, stepsPerEpoch: number): number {
  if (s.save.strategy === "no") return 0;
  if (s.save.perEpoch) return Math.max(1, Math.floor(stepsPerEpoch / s.save.perEpoch));
  if (s.save.strategy === "steps") return s.save.steps ?? 500;
  return stepsPerEpoch;
}

async function train(s: RehearsalSettings, options: RehearseOptions, write: (line: string) => void) {
  const { trainCausalLM } = await import("@cftkit/lm");
  const { train: examples, validation } = await loadExamples(s);
  const globalBatchSize = s.microBatchSize * s.gradientAccumulationSteps;
  const stepsPerEpoch = Math.ceil(examples.length / globalBatchSize);
  const started = performance.now();
  const losses: number[] = [];
  let lastEpoch = 0;
  // As the Trainer prints: the metrics dict of a step, then the tqdm bar redrawn with that step's count.
  const onMetrics = (m: TrainMetrics) => {
    write(
      metricsDictLine({ loss: m.loss, grad_norm: m.gradNorm, learning_rate: m.learningRate, epoch: m.epoch }),
    );
    if (m.evalLoss !== undefined) write(metricsDictLine({ eval_loss: m.evalLoss, epoch: m.epoch }));
    losses.push(m.loss);
    lastEpoch = m.epoch;
  };
  const progress: ProgressReporter = {
    start() {},
    update(u) {
      write(tqdmLine(u.done, u.total ?? u.done, (performance.now() - started) / 1000));
    },
    stop() {},
  };
  const trainOptions: TrainOptions = {
    modelDir: s.baseModel,
    outDir: s.outputDir,
    train: examples,
    ...(validation.length > 0 ? { validation } : {}),
    learningRate: s.learningRate,
    epochs: s.numEpochs,
    globalBatchSize,
    microBatchSize: s.microBatchSize,
    warmupSteps: s.warmupSteps,
    lrScheduler: s.lrScheduler,
    weightDecay: s.weightDecay,
    maxGradNorm: s.maxGradNorm,
    sequenceLength: s.sequenceLen,
    seed: s.seed,
    loggingSteps: s.loggingSteps,
    saveEverySteps: saveEvery(s, stepsPerEpoch),
    resume: s.resume,
    onMetrics,
    progress,
    // metrics.jsonl belongs to whoever parses this output (the Axolotl launcher), as with real Axolotl.
    metricsPath: join(s.outputDir, "trainer-metrics.jsonl"),
    ...(s.maxSteps !== undefined ? { maxSteps: s.maxSteps } : {}),
    ...(s.evalSteps !== undefined ? { evalEverySteps: s.evalSteps } : {}),
    ...(s.save.totalLimit !== undefined ? { saveTotalLimit: s.save.totalLimit } : {}),
    ...(s.unfrozenParameters ? { unfrozenParameters: s.unfrozenParameters } : {}),
    ...(s.lora ? { lora: s.lora } : {}),
    ...(options.stopAfterSteps !== undefined ? { stopAfterSteps: options.stopAfterSteps } : {}),
  };
  const result = await trainCausalLM(trainOptions);
  if (result.resumedFromStep > 0) write(`resumed from checkpoint-${result.resumedFromStep}`);
  if (result.stoppedEarly)
    return { steps: result.steps, finalLoss: result.finalLoss, resumedFromStep: result.resumedFromStep };
  // axolotl train leaves only the adapter for LoRA; `merge-lora` writes merged/.
  if (s.lora) await rm(join(s.outputDir, "merged"), { recursive: true, force: true });
  const runtime = (performance.now() - started) / 1000;
  const meanLoss = losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : result.finalLoss;
  write(
    metricsDictLine({
      train_runtime: runtime,
      train_samples_per_second: (examples.length * lastEpoch) / Math.max(runtime, 1e-9),
      train_steps_per_second: result.steps / Math.max(runtime, 1e-9),
      train_loss: meanLoss,
      epoch: lastEpoch,
    }),
  );
  write(`Training completed! Saving trained model to ${s.outputDir}.`);
  return { steps: result.steps, finalLoss: result.finalLoss, resumedFromStep: result.resumedFromStep };
}
