import type { TrainOptions } from "@cftkit/lm";
import { PAPER_TRAINING_DEFAULTS } from "@cftkit/lm/defaults";
import { z } from "zod";
import { log, printHuman, printJson, progress } from "../cli-output.js";
import {
  count,
  defineCommand,
  flag,
  positive,
  number,
  param,
  text,
  pathParam,
  optionalPath,
} from "../define-command.js";

const nonNegative = () => number(z.number().min(0));
// The embedded trainer's own defaults (the paper's Table A1), from its light entry: --help loads no tfjs.
const d = PAPER_TRAINING_DEFAULTS;

/** `cftkit lm train`: the embedded CPU trainer (full fine-tuning, unfrozen_parameters, LoRA). */
const train = defineCommand({
  path: ["lm", "train"],
  description:
    "fine-tune a model folder on chat examples (loss on assistant turns) with the embedded CPU trainer",
  examples: [
    "cftkit data convert data/alpaca/alpaca_5000.json --to embedded --out train.jsonl",
    "cftkit lm train models/tiny --data train.jsonl --lr 3e-3 --max-steps 20 --out runs/tiny-ft",
  ],
  args: {
    modelDir: pathParam(
      "<model-dir>",
      "Hugging Face model folder (config.json, safetensors, tokenizer with a chat template)",
      "model",
    ),
  },
  options: {
    data: pathParam(
      "--data <file>",
      "JSONL of TrainingExample rows ({id, messages:[{role, content}]}) or Axolotl chat rows",
      "input",
    ),
    out: pathParam(
      "--out <dir>",
      "output folder: checkpoints, metrics.jsonl, the trained model",
      "output-folder",
    ),
    validation: optionalPath("--validation <file>", "held-out JSONL rows for eval_loss", "input"),
    lr: param(
      "--lr <number>",
      "peak learning rate (tiny models need ~3e-3)",
      number(z.number().gt(0)).default(d.learningRate),
    ),
    epochs: param("--epochs <number>", "epochs", number(z.number().gt(0)).default(d.epochs)),
    batch: param("--batch <n>", "global batch size", positive().default(d.globalBatchSize)),
    microBatch: param(
      "--micro-batch <n>",
      "micro-batch size; gradient accumulation = batch / micro-batch",
      positive().default(d.microBatchSize),
    ),
    maxSteps: param(
      "--max-steps <n>",
      "stop after this many optimizer steps (overrides --epochs)",
      positive().optional(),
    ),
    warmup: param("--warmup <n>", "linear warmup steps", count().default(d.warmupSteps)),
    scheduler: param(
      "--scheduler <name>",
      "learning-rate schedule",
      z.enum(["cosine", "linear", "constant"]).default(d.lrScheduler),
    ),
    weightDecay: param(
      "--weight-decay <number>",
      "AdamW decoupled weight decay",
      nonNegative().default(d.weightDecay),
    ),
    maxGradNorm: param(
      "--max-grad-norm <number>",
      "gradient clipping by global norm (0 = off)",
      nonNegative().default(d.maxGradNorm),
    ),
    seqLen: param(
      "--seq-len <n>",
      "truncate examples to this many tokens",
      positive().default(d.sequenceLength),
    ),
    seed: param("--seed <n>", "seed of data order, LoRA init and dropout", count().default(d.seed)),
    unfrozen: param(
      "--unfrozen <pattern>",
      "train only parameters matching this Axolotl unfrozen_parameters pattern (repeatable)",
      z.array(text()).optional(),
      { repeatable: true },
    ),
    loraR: param(
      "--lora-r <n>",
      "train LoRA adapters of this rank instead of the full model",
      positive().optional(),
    ),
    loraAlpha: param(
      "--lora-alpha <number>",
      "LoRA alpha (2 × r when not given)",
      number(z.number().gt(0)).optional(),
    ),
    loraDropout: param(
      "--lora-dropout <number>",
      "LoRA dropout",
      number(z.number().min(0).lt(1)).default(d.lora.dropout),
    ),
    loraTargets: param(
      "--lora-targets <module>",
      "LoRA target module, e.g. q_proj (repeatable)",
      z.array(text()).default([...d.lora.targetModules]),
      { repeatable: true },
    ),
    saveEvery: param(
      "--save-every <n>",
      "write a checkpoint every N steps (and at the end)",
      positive().optional(),
    ),
    evalEvery: param(
      "--eval-every <n>",
      "compute eval_loss every N steps (needs --validation)",
      positive().optional(),
    ),
    resume: param("--resume", "continue from the newest checkpoint in --out", flag()),
  },
  async run(options) {
    const { readTrainingExamplesFile } = await import("@cftkit/lm");
    const train = await readTrainingExamplesFile(options.data);
    const validation = options.validation ? await readTrainingExamplesFile(options.validation) : undefined;
    const trainOptions: TrainOptions = {
      modelDir: options.modelDir,
      outDir: options.out,
      train,
      ...(validation ? { validation } : {}),
      learningRate: options.lr,
      epochs: options.epochs,
      globalBatchSize: options.batch,
      microBatchSize: options.microBatch,
      maxSteps: options.maxSteps,
      warmupSteps: options.warmup,
      lrScheduler: options.scheduler,
      weightDecay: options.weightDecay,
      maxGradNorm: options.maxGradNorm,
      sequenceLength: options.seqLen,
      seed: options.seed,
      unfrozenParameters: options.unfrozen,
      saveEverySteps: options.saveEvery,
      evalEverySteps: options.evalEvery,
      resume: options.resume,
      progress: progress(options),
    };
    if (options.loraR !== undefined) {
      const r = options.loraR;
      trainOptions.lora = {
        r,
        alpha: options.loraAlpha ?? 2 * r,
        dropout: options.loraDropout,
        targetModules: options.loraTargets,
      };
    }
    for (const key of Object.keys(trainOptions) as (keyof TrainOptions)[])
      if (trainOptions[key] === undefined) delete trainOptions[key];
    log(options, `training ${options.modelDir} on ${train.length} examples → ${options.out}`);
    const { trainCausalLM } = await import("@cftkit/lm");
    const result = await trainCausalLM(trainOptions);
    if (options.json) printJson(result);
    else {
      printHuman(
        options,
        [
          `steps: ${result.steps}${result.resumedFromStep ? ` (resumed from ${result.resumedFromStep})` : ""}`,
          `final loss: ${result.finalLoss.toFixed(4)}${result.evalLoss !== undefined ? `  eval loss: ${result.evalLoss.toFixed(4)}` : ""}`,
          `tokens/s: ${result.tokensPerSecond.toFixed(0)}`,
          `trainable parameters: ${result.trainableParameters} of ${result.totalParameters}`,
          `model: ${result.modelDir}${result.adapterDir ? `  adapter: ${result.adapterDir}` : ""}`,
          `metrics: ${result.metricsPath}`,
        ].join("\n"),
      );
    }
  },
});

export const lmTrainCommands = [train];
