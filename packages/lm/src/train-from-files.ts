import { checkOptions, type ProgressReporter } from "@cftkit/core";
import type { z } from "zod";
import { type TrainResult, trainCausalLM } from "./train-causal-lm.js";
import {
  loraOptionsOf,
  type loraSettingsSchema,
  trainingFilesSchema,
  type trainingSettingsSchema,
} from "./training-defaults.js";
import { readTrainingExamplesFile } from "./training-examples-file.js";

/** What `trainCausalLMFromFiles` trains on, with which settings, and where it reports. */
export interface TrainFromFilesOptions extends z.input<typeof trainingFilesSchema> {
  /** Hugging Face model folder (config.json, safetensors weights, tokenizer with a chat template). */
  modelDir: string;
  /** Training settings (an absent one takes the paper's default). */
  settings?: z.input<typeof trainingSettingsSchema>;
  /** LoRA choices; without a rank the whole model (or its unfrozen parameters) trains. */
  lora?: z.input<typeof loraSettingsSchema>;
  progress?: ProgressReporter;
  /** Where the one "training … on N examples" line goes. */
  log?: (line: string) => void;
}

/** Read the training (and validation) rows from their files (trainingFilesSchema), then `trainCausalLM` with the schemas' settings. */
export async function trainCausalLMFromFiles(options: TrainFromFilesOptions): Promise<TrainResult> {
  checkOptions(trainingFilesSchema, options, "LM_BAD_TRAIN_OPTIONS");
  const train = await readTrainingExamplesFile(options.data);
  const validation = options.validation ? await readTrainingExamplesFile(options.validation) : undefined;
  const lora = loraOptionsOf(options.lora ?? {});
  options.log?.(`training ${options.modelDir} on ${train.length} examples → ${options.outDir}`);
  return await trainCausalLM({
    ...definedOnly(options.settings ?? {}),
    modelDir: options.modelDir,
    outDir: options.outDir,
    train,
    ...(validation ? { validation } : {}),
    ...(lora ? { lora } : {}),
    progress: options.progress,
  });
}

/** The settings given or defaulted: an absent optional one is left out, not passed as undefined. */
const definedOnly = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
