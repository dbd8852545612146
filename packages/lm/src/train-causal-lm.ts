import { promises as fs } from "node:fs";
import { join, resolve } from "node:path";
import {
  CftkitError,
  checkOptions,
  type ProgressReporter,
  SeededRandom,
  silentProgress,
  stableHash,
  writeFileAtomic,
  writeJsonAtomic,
} from "@cftkit/core";
import { type TensorToWrite, writeSafetensors } from "@cftkit/safetensors";
import type { LoraOptions } from "./lora.js";
import { type LrSchedulerName, learningRateAt } from "./lr-schedule.js";
import { PAPER_TRAINING_DEFAULTS, trainingSettingsSchema } from "./training-defaults.js";
import { type ModelConfig, readModelConfig } from "./model-config.js";
import { readGenerationConfig, readModelWeights, writeModelFolder } from "./model-folder.js";
import { createOrtTrainEngine } from "./ort-train-engine.js";
import { createTfjsTrainEngine } from "./tfjs-train-engine.js";
import { checkTrainingMemory } from "./training-memory.js";
import { type Tokenizer, loadTokenizer } from "./tokenizer.js";
import type { TrainEngine, TrainEngineName } from "./train-engine.js";
import type { TrainEngineSetup } from "./train-engine-setup.js";
import {
  CHECKPOINT_PREFIX,
  type TrainLogEntry,
  type TrainerState,
  copyModelFiles,
  findLatestCheckpoint,
  optimizerTensors,
  pruneCheckpoints,
  readOptimizerState,
  readTensorMap,
  readTrainerState,
  writeCheckpoint,
} from "./training-checkpoint.js";
import {
  type ChatTemplateTokenizer,
  type TokenizedExample,
  type TrainingExample,
  countLossTokens,
  padBatch,
  tokenizeTrainingExample,
} from "./training-batch.js";

export { causalLmLossSum } from "./tfjs-train-engine.js";

export { PAPER_TRAINING_DEFAULTS } from "./training-defaults.js";

export interface TrainMetrics {
  step: number;
  epoch: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  tokensPerSecond: number;
  /** Non-pad input tokens of this step. */
  tokens: number;
  evalLoss?: number;
}

export interface TrainOptions {
  /** Hugging Face model folder (config.json, safetensors weights, tokenizer with a chat template). */
  modelDir: string;
  /** Output folder: checkpoints, metrics.jsonl and the final model. */
  outDir: string;
  train: TrainingExample[];
  validation?: TrainingExample[];
  learningRate?: number;
  epochs?: number;
  globalBatchSize?: number;
  microBatchSize?: number;
  warmupSteps?: number;
  lrScheduler?: LrSchedulerName;
  weightDecay?: number;
  maxGradNorm?: number;
  sequenceLength?: number;
  seed?: number;
  /** Axolotl `unfrozen_parameters`: when given, only the parameters these patterns match are trained. */
  unfrozenParameters?: string[];
  lora?: LoraOptions;
  /** Overrides epochs (HF `max_steps`). */
  maxSteps?: number;
  /** Log a metrics line every N optimizer steps (default 1). */
  loggingSteps?: number;
  evalEverySteps?: number;
  /** Also compute the validation loss before the first step (HF `eval_on_start`), as `initialEvalLoss`. */
  evalOnStart?: boolean;
  saveEverySteps?: number;
  /** Keep only the newest N checkpoints (default: keep all). */
  saveTotalLimit?: number;
  /** Continue from the newest `outDir/checkpoint-<step>/`. */
  resume?: boolean;
  /** dtype of the final model weights (default F32). */
  saveDtype?: "F32" | "BF16";
  /** Tokenizer to use instead of the model folder's own (must have a chat template). */
  tokenizer?: ChatTemplateTokenizer;
  progress?: ProgressReporter;
  onMetrics?: (m: TrainMetrics) => void;
  /** Stop after this many optimizer steps of this call (simulates an interruption; for tests). */
  stopAfterSteps?: number;
  /** Training engine (default `ort`; `tfjs` is the earlier engine, kept for comparison). */
  engine?: TrainEngineName;
  /** Memory training may use (default: what the machine has free); a micro-batch that needs more is refused. */
  memoryBudgetBytes?: number;
  /** Where the metrics lines go (default `<outDir>/metrics.jsonl`; a launcher parsing the output may own that name). */
  metricsPath?: string;
}

export interface TrainResult {
  outDir: string;
  /** Optimizer steps done in total (including steps of a resumed run). */
  steps: number;
  finalLoss: number;
  evalLoss?: number;
  /** Validation loss before training (with `evalOnStart`). */
  initialEvalLoss?: number;
  metricsPath: string;
  /** Folder of the complete trained model (outDir, or outDir/merged for LoRA). */
  modelDir: string;
  /** LoRA only: the PEFT adapter folder (outDir). */
  adapterDir?: string;
  /** Step the run resumed from (0 when it started fresh). */
  resumedFromStep: number;
  trainableParameters: number;
  totalParameters: number;
  /** Examples dropped because no assistant token survived truncation. */
  skippedExamples: number;
  seed: number;
  /** Mean tokens/s over the steps of this call. */
  tokensPerSecond: number;
  stoppedEarly: boolean;
}

/** Resolved options (every default filled in). */
interface Resolved {
  learningRate: number;
  epochs: number;
  globalBatchSize: number;
  microBatchSize: number;
  warmupSteps: number;
  lrScheduler: LrSchedulerName;
  weightDecay: number;
  maxGradNorm: number;
  sequenceLength: number;
  seed: number;
  loggingSteps: number;
}

function resolveOptions(o: TrainOptions): Resolved {
  const d = PAPER_TRAINING_DEFAULTS;
  const r: Resolved = {
    learningRate: o.learningRate ?? d.learningRate,
    epochs: o.epochs ?? d.epochs,
    globalBatchSize: o.globalBatchSize ?? d.globalBatchSize,
    microBatchSize: o.microBatchSize ?? Math.min(d.microBatchSize, o.globalBatchSize ?? d.globalBatchSize),
    warmupSteps: o.warmupSteps ?? d.warmupSteps,
    lrScheduler: o.lrScheduler ?? d.lrScheduler,
    weightDecay: o.weightDecay ?? d.weightDecay,
    maxGradNorm: o.maxGradNorm ?? d.maxGradNorm,
    sequenceLength: o.sequenceLength ?? d.sequenceLength,
    seed: o.seed ?? d.seed,
    loggingSteps: o.loggingSteps ?? 1,
  };
  const { maxSteps, unfrozenParameters, saveEverySteps, evalEverySteps, resume } = o;
  const settings = { ...r, maxSteps, unfrozenParameters, saveEverySteps, evalEverySteps, resume };
  checkOptions(trainingSettingsSchema, settings, "LM_BAD_TRAIN_OPTIONS");
  const problems: string[] = [];
  if (!(Number.isInteger(r.loggingSteps) && r.loggingSteps > 0))
    problems.push("loggingSteps must be a positive integer");
  if (
    o.microBatchSize !== undefined &&
    o.globalBatchSize !== undefined &&
    o.microBatchSize > o.globalBatchSize
  )
    problems.push("microBatchSize must not exceed globalBatchSize");
  if (problems.length > 0) {
    throw new CftkitError("LM_BAD_TRAIN_OPTIONS", `bad training options: ${problems.join("; ")}`, {
      details: { problems },
    });
  }
  if (o.lora && o.unfrozenParameters && o.unfrozenParameters.length > 0) {
    throw new CftkitError(
      "LM_LORA_WITH_UNFROZEN",
      "LoRA and unfrozenParameters do not combine (as in Axolotl, where LoRA renames parameters base_model.model.…)",
    );
  }
  return r;
}

function createEngine(name: TrainEngineName, setup: TrainEngineSetup): Promise<TrainEngine> {
  if (name === "tfjs") return createTfjsTrainEngine(setup);
  if (name === "ort") return createOrtTrainEngine(setup);
  throw new CftkitError("LM_BAD_TRAIN_OPTIONS", `unknown training engine "${name}" (ort, tfjs)`);
}

/**
 * Write a complete HF model folder through the model folder writer (weights, config.json, tokenizer files,
 * generation_config.json); other non-weight files of the base folder (e.g. a chat_template.jinja) are copied.
 */
async function saveModelFolder(
  dir: string,
  baseDir: string,
  config: ModelConfig,
  tokenizer: Tokenizer | null,
  tensors: TensorToWrite[],
  dtype: "F32" | "BF16",
  metadata: Record<string, string>,
): Promise<void> {
  await copyModelFiles(baseDir, dir);
  const bytes = tensors.reduce((s, t) => s + t.data.length * (dtype === "F32" ? 4 : 2), 0);
  await writeModelFolder(dir, {
    config,
    tensors: tensors.map((t) => ({ name: t.name, shape: t.shape, data: t.data })),
    tokenizer,
    generationConfig: await readGenerationConfig(baseDir),
    dtype,
    metadata,
    ...(bytes > 4_000_000_000 ? { maxShardBytes: 2_000_000_000 } : {}),
  });
}

/**
 * Fine-tune a Llama-family causal LM on chat examples with the loss on assistant tokens only.
 *
 * Per optimizer step: the step's examples (a seeded shuffle per epoch, `globalBatchSize` of them, the last
 * step of an epoch takes the remainder) are split into micro-batches; the loss is the mean next-token
 * cross-entropy over every unmasked token of the whole global batch (each micro-batch's summed loss is
 * divided by the global batch's token count, so gradient accumulation gives the same update as one big
 * batch); gradients are clipped by global norm, then AdamW (decoupled weight decay, not on biases and norm
 * weights) updates the trainable parameters with the scheduled learning rate. Randomness is derived from
 * `seed` and the step, so a resumed run reproduces the uninterrupted one exactly.
 */
export async function trainCausalLM(options: TrainOptions): Promise<TrainResult> {
  const o = resolveOptions(options);
  const modelDir = resolve(options.modelDir);
  const outDir = resolve(options.outDir);
  const config = await readModelConfig(modelDir);
  const folderTokenizer: Tokenizer | null = options.tokenizer ? null : await loadTokenizer(modelDir);
  const { train, skipped, validation } = tokenizeData(options, options.tokenizer ?? folderTokenizer!, o);
  const stepsPerEpoch = Math.ceil(train.length / o.globalBatchSize);
  const totalSteps = options.maxSteps ?? Math.ceil(o.epochs * stepsPerEpoch);
  const optionsHash = stableHash({
    modelDir,
    o,
    totalSteps,
    unfrozen: options.unfrozenParameters ?? null,
    lora: options.lora ?? null,
    data: train.map((t) => t.inputIds.length + ":" + (t.id ?? "")).join("|"),
  });
  const engine = await openEngine(options, o, config, modelDir, [...train, ...validation]);
  const run: TrainingRun = {
    options,
    o,
    modelDir,
    outDir,
    engine,
    train,
    validation,
    padId:
      config.padTokenId ?? (Array.isArray(config.eosTokenId) ? config.eosTokenId[0] : config.eosTokenId) ?? 0,
    stepsPerEpoch,
    totalSteps,
    optionsHash,
    metricsPath: options.metricsPath ? resolve(options.metricsPath) : join(outDir, "metrics.jsonl"),
    logHistory: [],
    tokensSeen: 0,
  };
  try {
    await fs.mkdir(outDir, { recursive: true });
    const startStep = options.resume ? await resumeFromCheckpoint(run) : 0;
    await writeFileAtomic(
      run.metricsPath,
      run.logHistory.map((e) => JSON.stringify(e)).join("\n") + (run.logHistory.length ? "\n" : ""),
    );
    let initialEvalLoss: number | undefined;
    if (options.evalOnStart && validation.length > 0 && startStep === 0)
      initialEvalLoss = await evaluateLoss(run);
    const loop = await runSteps(run, startStep, options.progress ?? silentProgress);
    const steps = startStep + loop.stepsThisCall;
    const saved = loop.stoppedEarly
      ? { modelDir: outDir }
      : await saveFinalModel(run, config, folderTokenizer, steps);
    return {
      outDir,
      steps,
      finalLoss: loop.lastLoss,
      ...(loop.lastEval !== undefined ? { evalLoss: loop.lastEval } : {}),
      ...(initialEvalLoss !== undefined ? { initialEvalLoss } : {}),
      metricsPath: run.metricsPath,
      ...saved,
      resumedFromStep: startStep,
      trainableParameters: engine.trainableParameters,
      totalParameters: engine.totalParameters,
      skippedExamples: skipped,
      seed: o.seed,
      tokensPerSecond: loop.tokensThisCall / Math.max(loop.seconds, 1e-9),
      stoppedEarly: loop.stoppedEarly,
    };
  } finally {
    await engine.dispose();
  }
}

/** One training call's fixed setup and the state its checkpoints record. */
interface TrainingRun {
  options: TrainOptions;
  o: Resolved;
  modelDir: string;
  outDir: string;
  engine: TrainEngine;
  train: TokenizedExample[];
  validation: TokenizedExample[];
  padId: number;
  stepsPerEpoch: number;
  totalSteps: number;
  optionsHash: string;
  metricsPath: string;
  logHistory: TrainLogEntry[];
  tokensSeen: number;
}

/** Tokenize the sets; examples with no assistant token left after truncation are dropped and counted. */
function tokenizeData(options: TrainOptions, tokenizer: ChatTemplateTokenizer, o: Resolved) {
  if (!Array.isArray(options.train) || options.train.length === 0) {
    throw new CftkitError("LM_NO_TRAINING_DATA", "the training set is empty");
  }
  const tokenize = (examples: TrainingExample[]) => {
    const kept: TokenizedExample[] = [];
    let skipped = 0;
    for (const e of examples) {
      const t = tokenizeTrainingExample(e, tokenizer, o.sequenceLength);
      if (countLossTokens(t) === 0) skipped++;
      else kept.push(t);
    }
    return { kept, skipped };
  };
  const { kept: train, skipped } = tokenize(options.train);
  if (train.length === 0) {
    throw new CftkitError(
      "LM_NO_TRAINING_DATA",
      `no training example has an assistant token within sequenceLength ${o.sequenceLength}`,
    );
  }
  const validation = options.validation ? tokenize(options.validation).kept : [];
  return { train, skipped, validation };
}

/** The training engine over the model's weights, refused (and disposed) when a micro-batch would not fit. */
async function openEngine(
  options: TrainOptions,
  o: Resolved,
  config: ModelConfig,
  modelDir: string,
  examples: TokenizedExample[],
): Promise<TrainEngine> {
  const engine = await createEngine(options.engine ?? "ort", {
    config,
    weights: (await readModelWeights(modelDir, config)).map((w) => ({
      name: w.name,
      shape: w.shape.slice(),
      data: Float32Array.from(w.data),
    })),
    ...(options.lora ? { lora: options.lora } : {}),
    ...(options.unfrozenParameters ? { unfrozenParameters: options.unfrozenParameters } : {}),
    seed: o.seed,
    weightDecay: o.weightDecay,
  });
  try {
    checkTrainingMemory(config, {
      parameters: engine.totalParameters,
      trainableParameters: engine.trainableParameters,
      microBatchSize: o.microBatchSize,
      longest: Math.max(...examples.map((t) => t.inputIds.length)),
      engine: options.engine ?? "ort",
      ...(options.memoryBudgetBytes !== undefined ? { budgetBytes: options.memoryBudgetBytes } : {}),
    });
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  return engine;
}

const weightsFile = (run: TrainingRun) =>
  run.options.lora ? "adapter_model.safetensors" : "model.safetensors";

/** Load the newest checkpoint of `outDir` (written with the same options and data); the step to go on from. */
async function resumeFromCheckpoint(run: TrainingRun): Promise<number> {
  const latest = await findLatestCheckpoint(run.outDir);
  if (!latest) return 0;
  const state = await readTrainerState(latest.dir);
  if (state.options_hash !== run.optionsHash) {
    throw new CftkitError(
      "LM_RESUME_MISMATCH",
      `${latest.dir} was written by a run with different options or data; resume needs the same ones`,
      { details: { checkpoint: latest.dir } },
    );
  }
  run.engine.loadTrainable(await readTensorMap(join(latest.dir, weightsFile(run))), latest.dir);
  run.engine.setOptimizerState(await readOptimizerState(latest.dir));
  run.logHistory = state.log_history.filter((e) => e.step <= state.global_step);
  run.tokensSeen = state.num_input_tokens_seen;
  return state.global_step;
}

/** Mean loss per unmasked token over the validation set. */
async function evaluateLoss(run: TrainingRun): Promise<number> {
  const { validation, o } = run;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < validation.length; i += o.microBatchSize) {
    const batch = padBatch(validation.slice(i, i + o.microBatchSize), run.padId);
    sum += await run.engine.evalLossSum(batch);
    count += batch.lossTokens;
  }
  return count > 0 ? sum / count : Number.NaN;
}

async function saveCheckpoint(run: TrainingRun, step: number, epoch: number): Promise<void> {
  const { engine, options, o, modelDir } = run;
  const state: TrainerState = {
    global_step: step,
    epoch,
    max_steps: run.totalSteps,
    num_train_epochs: options.maxSteps ? Math.ceil(run.totalSteps / run.stepsPerEpoch) : o.epochs,
    train_batch_size: o.microBatchSize,
    logging_steps: o.loggingSteps,
    save_steps: options.saveEverySteps || null,
    log_history: run.logHistory,
    rng_state: {
      seed: o.seed,
      scheme: "SeededRandom(seed).fork(data-order:epoch-E) / fork(lora-dropout:step-S:micro-M)",
    },
    options_hash: run.optionsHash,
    num_input_tokens_seen: run.tokensSeen,
  };
  await writeCheckpoint(run.outDir, {
    weights: [{ file: weightsFile(run), tensors: engine.checkpointTensors(), metadata: { format: "pt" } }],
    json: options.lora ? [{ file: "adapter_config.json", value: engine.adapters(modelDir)!.config }] : [],
    optimizer: optimizerTensors(engine.optimizerState().state, engine.optimizerState().shapes),
    optimizerStep: engine.optimizerStep,
    state,
    modelFilesFrom: modelDir,
  });
  if (options.saveTotalLimit) await pruneCheckpoints(run.outDir, options.saveTotalLimit);
}

/** The seeded example order of each epoch (only the current epoch's is kept). */
function epochOrders(run: TrainingRun): (epoch: number) => number[] {
  const orders = new Map<number, number[]>();
  return (epoch) => {
    let order = orders.get(epoch);
    if (!order) {
      order = new SeededRandom(run.o.seed)
        .fork(`data-order:epoch-${epoch}`)
        .shuffle(run.train.map((_, i) => i));
      orders.clear();
      orders.set(epoch, order);
    }
    return order;
  };
}

/** One optimizer step: the step's examples in micro-batches, gradients accumulated, clipped, applied. */
async function optimizerStep(run: TrainingRun, step: number, order: number[]) {
  const { o, engine } = run;
  const within = step % run.stepsPerEpoch;
  const examples = order
    .slice(within * o.globalBatchSize, (within + 1) * o.globalBatchSize)
    .map((i) => run.train[i]!);
  const lossTokens = examples.reduce((s, e) => s + countLossTokens(e), 0);
  let lossSum = 0;
  let inputTokens = 0;
  const accumulation = Math.ceil(o.globalBatchSize / o.microBatchSize);
  for (let m = 0; m < accumulation; m++) {
    const micro = examples.slice(m * o.microBatchSize, (m + 1) * o.microBatchSize);
    if (micro.length === 0) break;
    const batch = padBatch(micro, run.padId);
    inputTokens += batch.inputTokens;
    const dropoutRng = new SeededRandom(o.seed).fork(`lora-dropout:step-${step}:micro-${m}`);
    lossSum += await engine.accumulate(batch, lossTokens, dropoutRng);
  }
  const lr = learningRateAt(step, {
    learningRate: o.learningRate,
    warmupSteps: o.warmupSteps,
    totalSteps: run.totalSteps,
    scheduler: o.lrScheduler,
  });
  const gradNorm = engine.update(o.maxGradNorm, lr);
  return { lossSum, inputTokens, lr, gradNorm };
}

/** The steps from `startStep` on: train, evaluate, log, report progress and checkpoint as configured. */
async function runSteps(run: TrainingRun, startStep: number, progress: ProgressReporter) {
  const { options, totalSteps, stepsPerEpoch, validation } = run;
  const evalEvery = options.evalEverySteps ?? 0;
  const saveEvery = options.saveEverySteps ?? 0;
  const orderFor = epochOrders(run);
  progress.start("train", totalSteps);
  const started = performance.now();
  let tokensThisCall = 0;
  let stepsThisCall = 0;
  let stoppedEarly = false;
  let lastLoss = run.logHistory.at(-1)?.loss ?? Number.NaN;
  let lastEval: number | undefined = [...run.logHistory]
    .reverse()
    .find((e) => e.eval_loss !== undefined)?.eval_loss;
  for (let step = startStep; step < totalSteps; step++) {
    if (options.stopAfterSteps !== undefined && stepsThisCall >= options.stopAfterSteps) {
      stoppedEarly = true;
      break;
    }
    const t0 = performance.now();
    const { lossSum, inputTokens, lr, gradNorm } = await optimizerStep(
      run,
      step,
      orderFor(Math.floor(step / stepsPerEpoch)),
    );
    const done = step + 1;
    const seconds = (performance.now() - t0) / 1000;
    run.tokensSeen += inputTokens;
    tokensThisCall += inputTokens;
    stepsThisCall++;
    lastLoss = lossSum;
    const epoch = done / stepsPerEpoch;
    const tokensPerSecond = inputTokens / Math.max(seconds, 1e-9);
    let evalLoss: number | undefined;
    if (validation.length > 0 && ((evalEvery > 0 && done % evalEvery === 0) || done === totalSteps)) {
      evalLoss = await evaluateLoss(run);
      lastEval = evalLoss;
    }
    const metrics = { step: done, epoch, loss: lossSum, learningRate: lr, gradNorm, tokensPerSecond };
    await logStep(run, { ...metrics, tokens: inputTokens, ...(evalLoss !== undefined ? { evalLoss } : {}) });
    const elapsed = (performance.now() - started) / 1000;
    progress.update({
      done,
      total: totalSteps,
      values: {
        loss: Number(lossSum.toFixed(4)),
        lr: Number(lr.toPrecision(3)),
        tok_s: Math.round(tokensPerSecond),
        eta_s: Math.round((elapsed / stepsThisCall) * (totalSteps - done)),
        ...(evalLoss !== undefined ? { eval_loss: Number(evalLoss.toFixed(4)) } : {}),
      },
    });
    if ((saveEvery > 0 && done % saveEvery === 0) || done === totalSteps)
      await saveCheckpoint(run, done, epoch);
  }
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  return { stepsThisCall, stoppedEarly, lastLoss, lastEval, tokensThisCall, seconds };
}

/** Append a metrics line (every `loggingSteps`, the last step and every evaluated step) and tell `onMetrics`. */
async function logStep(run: TrainingRun, m: TrainMetrics): Promise<void> {
  if (!(m.step % run.o.loggingSteps === 0 || m.step === run.totalSteps || m.evalLoss !== undefined)) return;
  const entry: TrainLogEntry = {
    step: m.step,
    epoch: m.epoch,
    loss: m.loss,
    learning_rate: m.learningRate,
    grad_norm: m.gradNorm,
    tokens_per_second: m.tokensPerSecond,
    ...(m.evalLoss !== undefined ? { eval_loss: m.evalLoss } : {}),
  };
  run.logHistory.push(entry);
  await fs.appendFile(run.metricsPath, `${JSON.stringify(entry)}\n`);
  run.options.onMetrics?.(m);
}

/** The trained model folder (LoRA: the adapter in outDir and the merged model in outDir/merged). */
async function saveFinalModel(
  run: TrainingRun,
  config: ModelConfig,
  folderTokenizer: Tokenizer | null,
  steps: number,
): Promise<{ modelDir: string; adapterDir?: string }> {
  const { engine, outDir, modelDir } = run;
  const dtype = run.options.saveDtype ?? "F32";
  const meta = { cftkit_seed: String(run.o.seed), cftkit_steps: String(steps) };
  const adapters = engine.adapters(modelDir);
  let finalModelDir = outDir;
  if (adapters) {
    await writeSafetensors(join(outDir, "adapter_model.safetensors"), adapters.tensors, { format: "pt" });
    await writeJsonAtomic(join(outDir, "adapter_config.json"), adapters.config);
    finalModelDir = join(outDir, "merged");
  }
  await saveModelFolder(
    finalModelDir,
    modelDir,
    config,
    folderTokenizer,
    engine.modelTensors(dtype),
    dtype,
    meta,
  );
  return { modelDir: finalModelDir, ...(adapters ? { adapterDir: outDir } : {}) };
}

export { CHECKPOINT_PREFIX };
