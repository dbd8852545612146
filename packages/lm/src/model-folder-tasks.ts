import { resolve } from "node:path";
import { checkOptions, type ProgressReporter } from "@cftkit/core";
import { CausalLM, type GenerateResult } from "./causal-lm.js";
import { parameterCount } from "./model-config.js";
import { generationSettingsSchema, modelInitSchema } from "./model-settings.js";
import { type TokenLogitsDocument, tokenLogits } from "./token-logits.js";
import type { z } from "zod";

/** What `initModelFolder` wrote (snake_case: the `cftkit lm init --json` document). */
export interface InitModelFolderResult {
  out: string;
  preset: "tiny" | "small";
  seed: number;
  dtype: "F32" | "BF16";
  parameters: number;
  hidden_size: number;
  num_hidden_layers: number;
  vocab_size: number;
}

/** Write a fresh random model folder (config, weights, byte-level tokenizer, generation config) at `out`. */
export async function initModelFolder(
  out: string,
  settings: z.input<typeof modelInitSchema> = {},
): Promise<InitModelFolderResult> {
  const { preset, seed, dtype } = checkOptions(modelInitSchema, settings, "LM_BAD_OPTION");
  const model = await CausalLM.init({ preset, seed });
  try {
    await model.save(out, { dtype });
    const c = model.config;
    return {
      out: resolve(out),
      preset,
      seed,
      dtype,
      parameters: parameterCount(c),
      hidden_size: c.hiddenSize,
      num_hidden_layers: c.numHiddenLayers,
      vocab_size: c.vocabSize,
    };
  } finally {
    model.dispose();
  }
}

/** The folder written, in words (`cftkit lm init` without --json). */
export function describeInitModelFolder(result: InitModelFolderResult): string {
  return `wrote ${result.out} (${result.preset}, ${result.parameters} parameters, seed ${result.seed})`;
}

/** Load a model folder, generate a response to each prompt, and let the model go. */
export async function generateWithModelFolder(
  modelDir: string,
  prompts: string[],
  settings: z.input<typeof generationSettingsSchema> & { progress?: ProgressReporter } = {},
): Promise<GenerateResult[]> {
  const checked = checkOptions(generationSettingsSchema, settings, "LM_BAD_OPTION");
  const model = await CausalLM.load(modelDir);
  try {
    return await model.generate(prompts, { ...checked, progress: settings.progress });
  } finally {
    model.dispose();
  }
}

/** The `cftkit lm generate --json` document: the sampling seed, then each prompt with its response. */
export interface GenerationDocument {
  seed: number;
  results: {
    prompt: string;
    text: string;
    token_ids: number[];
    finish_reason: GenerateResult["finishReason"];
  }[];
}

/** `generateWithModelFolder`, as a document that pairs each prompt with its response. */
export async function generationDocument(
  modelDir: string,
  prompts: string[],
  settings: Parameters<typeof generateWithModelFolder>[2] = {},
): Promise<GenerationDocument> {
  const { seed } = checkOptions(generationSettingsSchema, settings, "LM_BAD_OPTION");
  const results = await generateWithModelFolder(modelDir, prompts, settings);
  return {
    seed,
    results: results.map((r, i) => ({
      prompt: prompts[i]!,
      text: r.text,
      token_ids: r.tokenIds,
      finish_reason: r.finishReason,
    })),
  };
}

/** The responses alone, one text each (`cftkit lm generate` without --json). */
export function describeGeneration(doc: GenerationDocument): string[] {
  return doc.results.map((r) => r.text);
}

/** Load a model folder, run one forward pass over token ids (`tokenLogits`), and let the model go. */
export async function tokenLogitsOfModelFolder(
  modelDir: string,
  ids: number[],
): Promise<TokenLogitsDocument> {
  const model = await CausalLM.load(modelDir);
  try {
    const { logits, hiddenMean } = await tokenLogits(model, ids);
    return { logits, hidden_mean: hiddenMean };
  } finally {
    model.dispose();
  }
}
