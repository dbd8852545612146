import type { TrainOptions } from "@cftkit/lm";
import { PAPER_TRAINING_DEFAULTS, trainingSettingsSchema } from "@cftkit/lm/defaults";
import { z } from "zod";
import { log, printHuman, printJson, progress } from "../cli-output.js";
import { defineCommand, positive, number, param, text, pathParam, optionalPath } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

// The embedded trainer's own defaults (the paper's Table A1), from its light entry: --help loads no tfjs.
const d = PAPER_TRAINING_DEFAULTS;

/** The metavar these flags had before they came from the schema. */
const num = "number";
const {
  lr,
  epochs,
  batch,
  microBatch,
  maxSteps,
  warmup,
  scheduler,
  weightDecay,
  maxGradNorm,
  seqLen,
  seed,
  unfrozen,
  saveEvery,
  evalEvery,
  resume,
} = optionsFrom(trainingSettingsSchema, {
  learningRate: { flag: "lr", metavar: num },
  epochs: num,
  globalBatchSize: { flag: "batch" },
  microBatchSize: { flag: "micro-batch" },
  warmupSteps: { flag: "warmup" },
  lrScheduler: { flag: "scheduler", metavar: "name" },
  weightDecay: num,
  maxGradNorm: num,
  sequenceLength: { flag: "seq-len" },
  unfrozenParameters: { flag: "unfrozen", metavar: "pattern", repeatable: true },
  saveEverySteps: { flag: "save-every" },
  evalEverySteps: { flag: "eval-every" },
});

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
    lr,
    epochs,
    batch,
    microBatch,
    maxSteps,
    warmup,
    scheduler,
    weightDecay,
    maxGradNorm,
    seqLen,
    seed,
    unfrozen,
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
    saveEvery,
    evalEvery,
    resume,
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
