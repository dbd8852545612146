import { promises as fs } from "node:fs";
import { join, resolve } from "node:path";
import {
  CftkitError,
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

/**
 * The paper's hyper-parameters (Aggarwal et al., Table A1; docs/formats.md): lr 1e-6, 4 epochs, global batch
 * 16, cosine schedule with 10 warmup steps, AdamW, weight decay 0; LoRA baseline rank 64. These are the
 * defaults of {@link trainCausalLM}; tiny embedded models need a much higher learning rate (e.g. 3e-3), which
 * the caller passes explicitly.
 */
export const PAPER_TRAINING_DEFAULTS = {
  learningRate: 1e-6,
  epochs: 4,
  globalBatchSize: 16,
  microBatchSize: 4,
  warmupSteps: 10,
  lrScheduler: "cosine" as LrSchedulerName,
  weightDecay: 0,
  maxGradNorm: 1.0,
  sequenceLength: 2048,
  seed: 42,
  lora: { r: 64, alpha: 128, dropout: 0.05, targetModules: ["all-linear"] } as LoraOptions,
} as const;

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
  const positiveInt = (k: keyof Resolved) => Number.isInteger(r[k]) && (r[k] as number) > 0;
  const problems: string[] = [];
  if (!(r.learningRate >= 0 && Number.isFinite(r.learningRate))) problems.push("learningRate must be ≥ 0");
  if (!(r.epochs > 0)) problems.push("epochs must be > 0");
  for (const k of ["globalBatchSize", "microBatchSize", "sequenceLength", "loggingSteps"] as const)
    if (!positiveInt(k)) problems.push(`${k} must be a positive integer`);
  if (!(Number.isInteger(r.warmupSteps) && r.warmupSteps >= 0))
    problems.push("warmupSteps must be an integer ≥ 0");
  if (!["cosine", "linear", "constant"].includes(r.lrScheduler))
    problems.push(`lrScheduler "${r.lrScheduler}" is not cosine|linear|constant`);
  if (!(r.weightDecay >= 0)) problems.push("weightDecay must be ≥ 0");
  if (!(r.maxGradNorm >= 0)) problems.push("maxGradNorm must be ≥ 0 (0 disables clipping)");
  if (!Number.isInteger(r.seed)) problems.push("seed must be an integer");
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps > 0))
    problems.push("maxSteps must be a positive integer");
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
  const progress = options.progress ?? silentProgress;
  const modelDir = resolve(options.modelDir);
  const outDir = resolve(options.outDir);
  const config = await readModelConfig(modelDir);
  const folderTokenizer: Tokenizer | null = options.tokenizer ? null : await loadTokenizer(modelDir);
  const tokenizer: ChatTemplateTokenizer = options.tokenizer ?? folderTokenizer!;

  // ---- data ----
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
  const padId =
    config.padTokenId ?? (Array.isArray(config.eosTokenId) ? config.eosTokenId[0] : config.eosTokenId) ?? 0;
  const stepsPerEpoch = Math.ceil(train.length / o.globalBatchSize);
  const totalSteps = options.maxSteps ?? Math.ceil(o.epochs * stepsPerEpoch);
  const saveEvery = options.saveEverySteps ?? 0;
  const evalEvery = options.evalEverySteps ?? 0;

  const optionsHash = stableHash({
    modelDir,
    o,
    totalSteps,
    unfrozen: options.unfrozenParameters ?? null,
    lora: options.lora ?? null,
    data: train.map((t) => t.inputIds.length + ":" + (t.id ?? "")).join("|"),
  });

  // ---- parameters ----
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
  const { trainableParameters, totalParameters } = engine;
  try {
    checkTrainingMemory(config, {
      parameters: totalParameters,
      trainableParameters,
      microBatchSize: o.microBatchSize,
      longest: Math.max(...train.map((t) => t.inputIds.length), ...validation.map((t) => t.inputIds.length)),
      engine: options.engine ?? "ort",
      ...(options.memoryBudgetBytes !== undefined ? { budgetBytes: options.memoryBudgetBytes } : {}),
    });
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  const lora = options.lora ?? null;

  const metricsPath = options.metricsPath ? resolve(options.metricsPath) : join(outDir, "metrics.jsonl");
  let logHistory: TrainLogEntry[] = [];
  let startStep = 0;
  let tokensSeen = 0;
  try {
    await fs.mkdir(outDir, { recursive: true });
    // ---- resume ----
    if (options.resume) {
      const latest = await findLatestCheckpoint(outDir);
      if (latest) {
        const state = await readTrainerState(latest.dir);
        if (state.options_hash !== optionsHash) {
          throw new CftkitError(
            "LM_RESUME_MISMATCH",
            `${latest.dir} was written by a run with different options or data; resume needs the same ones`,
            { details: { checkpoint: latest.dir } },
          );
        }
        engine.loadTrainable(
          await readTensorMap(join(latest.dir, lora ? "adapter_model.safetensors" : "model.safetensors")),
          latest.dir,
        );
        engine.setOptimizerState(await readOptimizerState(latest.dir));
        startStep = state.global_step;
        logHistory = state.log_history.filter((e) => e.step <= startStep);
        tokensSeen = state.num_input_tokens_seen;
      }
    }
    await writeFileAtomic(
      metricsPath,
      logHistory.map((e) => JSON.stringify(e)).join("\n") + (logHistory.length ? "\n" : ""),
    );

    // ---- helpers ----
    const epochOrders = new Map<number, number[]>();
    const orderFor = (epoch: number): number[] => {
      let order = epochOrders.get(epoch);
      if (!order) {
        order = new SeededRandom(o.seed).fork(`data-order:epoch-${epoch}`).shuffle(train.map((_, i) => i));
        epochOrders.clear();
        epochOrders.set(epoch, order);
      }
      return order;
    };
    const evaluate = async (): Promise<number> => {
      let sum = 0;
      let count = 0;
      for (let i = 0; i < validation.length; i += o.microBatchSize) {
        const batch = padBatch(validation.slice(i, i + o.microBatchSize), padId);
        sum += await engine.evalLossSum(batch);
        count += batch.lossTokens;
      }
      return count > 0 ? sum / count : Number.NaN;
    };
    const saveCheckpoint = async (step: number, epoch: number) => {
      const weights = [
        {
          file: lora ? "adapter_model.safetensors" : "model.safetensors",
          tensors: engine.checkpointTensors(),
          metadata: { format: "pt" },
        },
      ];
      const state: TrainerState = {
        global_step: step,
        epoch,
        max_steps: totalSteps,
        num_train_epochs: options.maxSteps ? Math.ceil(totalSteps / stepsPerEpoch) : o.epochs,
        train_batch_size: o.microBatchSize,
        logging_steps: o.loggingSteps,
        save_steps: saveEvery || null,
        log_history: logHistory,
        rng_state: {
          seed: o.seed,
          scheme: "SeededRandom(seed).fork(data-order:epoch-E) / fork(lora-dropout:step-S:micro-M)",
        },
        options_hash: optionsHash,
        num_input_tokens_seen: tokensSeen,
      };
      await writeCheckpoint(outDir, {
        weights,
        json: lora ? [{ file: "adapter_config.json", value: engine.adapters(modelDir)!.config }] : [],
        optimizer: optimizerTensors(engine.optimizerState().state, engine.optimizerState().shapes),
        optimizerStep: engine.optimizerStep,
        state,
        modelFilesFrom: modelDir,
      });
      if (options.saveTotalLimit) await pruneCheckpoints(outDir, options.saveTotalLimit);
    };

    let initialEvalLoss: number | undefined;
    if (options.evalOnStart && validation.length > 0 && startStep === 0) initialEvalLoss = await evaluate();

    // ---- loop ----
    progress.start("train", totalSteps);
    const started = performance.now();
    let tokensThisCall = 0;
    let lastLoss = logHistory.at(-1)?.loss ?? Number.NaN;
    let lastEval: number | undefined = [...logHistory]
      .reverse()
      .find((e) => e.eval_loss !== undefined)?.eval_loss;
    let stepsThisCall = 0;
    let stoppedEarly = false;
    const accumulation = Math.ceil(o.globalBatchSize / o.microBatchSize);
    for (let step = startStep; step < totalSteps; step++) {
      if (options.stopAfterSteps !== undefined && stepsThisCall >= options.stopAfterSteps) {
        stoppedEarly = true;
        break;
      }
      const t0 = performance.now();
      const epochIndex = Math.floor(step / stepsPerEpoch);
      const within = step % stepsPerEpoch;
      const order = orderFor(epochIndex);
      const examples = order
        .slice(within * o.globalBatchSize, (within + 1) * o.globalBatchSize)
        .map((i) => train[i]!);
      const lossTokens = examples.reduce((s, e) => s + countLossTokens(e), 0);
      let lossSum = 0;
      let inputTokens = 0;
      for (let m = 0; m < accumulation; m++) {
        const micro = examples.slice(m * o.microBatchSize, (m + 1) * o.microBatchSize);
        if (micro.length === 0) break;
        const batch = padBatch(micro, padId);
        inputTokens += batch.inputTokens;
        const dropoutRng = new SeededRandom(o.seed).fork(`lora-dropout:step-${step}:micro-${m}`);
        lossSum += await engine.accumulate(batch, lossTokens, dropoutRng);
      }
      const lr = learningRateAt(step, {
        learningRate: o.learningRate,
        warmupSteps: o.warmupSteps,
        totalSteps,
        scheduler: o.lrScheduler,
      });
      const gradNorm = engine.update(o.maxGradNorm, lr);
      const done = step + 1;
      const seconds = (performance.now() - t0) / 1000;
      tokensSeen += inputTokens;
      tokensThisCall += inputTokens;
      stepsThisCall++;
      lastLoss = lossSum;
      const epoch = done / stepsPerEpoch;
      const tokensPerSecond = inputTokens / Math.max(seconds, 1e-9);
      let evalLoss: number | undefined;
      if (validation.length > 0 && ((evalEvery > 0 && done % evalEvery === 0) || done === totalSteps)) {
        evalLoss = await evaluate();
        lastEval = evalLoss;
      }
      if (done % o.loggingSteps === 0 || done === totalSteps || evalLoss !== undefined) {
        const entry: TrainLogEntry = {
          step: done,
          epoch,
          loss: lossSum,
          learning_rate: lr,
          grad_norm: gradNorm,
          tokens_per_second: tokensPerSecond,
          ...(evalLoss !== undefined ? { eval_loss: evalLoss } : {}),
        };
        logHistory.push(entry);
        await fs.appendFile(metricsPath, `${JSON.stringify(entry)}\n`);
        options.onMetrics?.({
          step: done,
          epoch,
          loss: lossSum,
          learningRate: lr,
          gradNorm,
          tokensPerSecond,
          tokens: inputTokens,
          ...(evalLoss !== undefined ? { evalLoss } : {}),
        });
      }
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
      if ((saveEvery > 0 && done % saveEvery === 0) || done === totalSteps) await saveCheckpoint(done, epoch);
    }
    progress.stop();
    const steps = startStep + stepsThisCall;
    const totalSeconds = (performance.now() - started) / 1000;

    // ---- final model ----
    let finalModelDir = outDir;
    let adapterDir: string | undefined;
    if (!stoppedEarly) {
      const dtype = options.saveDtype ?? "F32";
      const meta = { cftkit_seed: String(o.seed), cftkit_steps: String(steps) };
      const adapters = engine.adapters(modelDir);
      if (adapters) {
        adapterDir = outDir;
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
    }
    return {
      outDir,
      steps,
      finalLoss: lastLoss,
      ...(lastEval !== undefined ? { evalLoss: lastEval } : {}),
      ...(initialEvalLoss !== undefined ? { initialEvalLoss } : {}),
      metricsPath,
      modelDir: finalModelDir,
      ...(adapterDir ? { adapterDir } : {}),
      resumedFromStep: startStep,
      trainableParameters,
      totalParameters,
      skippedExamples: skipped,
      seed: o.seed,
      tokensPerSecond: tokensThisCall / Math.max(totalSeconds, 1e-9),
      stoppedEarly,
    };
  } finally {
    await engine.dispose();
  }
}

export { CHECKPOINT_PREFIX };
