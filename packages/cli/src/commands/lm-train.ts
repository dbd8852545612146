import { loraSettingsSchema, trainingFilesSchema, trainingSettingsSchema } from "@cftkit/lm/defaults";
import { log, printResult, progress } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom, schemaValues } from "../schema-options.js";

// The embedded trainer's own settings and defaults (the paper's Table A1), from its light entry: --help
// loads no tfjs. The flags keep their short names (--lr, --batch, …).
const num = "number";
const settingsFlags = {
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
} as const;
const loraFlags = {
  r: { flag: "lora-r" },
  alpha: { flag: "lora-alpha", metavar: num },
  dropout: { flag: "lora-dropout", metavar: num },
  targetModules: { flag: "lora-targets", metavar: "module", repeatable: true },
} as const;
const filesFlags = { data: "file", outDir: { flag: "out", metavar: "dir" }, validation: "file" } as const;
const { saveEvery, evalEvery, resume, ...settings } = optionsFrom(trainingSettingsSchema, settingsFlags);

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
    ...optionsFrom(trainingFilesSchema, filesFlags),
    ...settings,
    ...optionsFrom(loraSettingsSchema, loraFlags),
    saveEvery,
    evalEvery,
    resume,
  },
  async run(options) {
    const { describeTrainResult, trainCausalLMFromFiles } = await import("@cftkit/lm");
    const result = await trainCausalLMFromFiles({
      modelDir: options.modelDir,
      ...schemaValues(trainingFilesSchema, filesFlags, options),
      settings: schemaValues(trainingSettingsSchema, settingsFlags, options),
      lora: schemaValues(loraSettingsSchema, loraFlags, options),
      progress: progress(options),
      log: (line) => log(options, line),
    });
    printResult(options, result, () => describeTrainResult(result));
  },
});

export const lmTrainCommands = [train];
