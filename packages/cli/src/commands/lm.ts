import { z } from "zod";
import { printResult, progress } from "../cli-output.js";
import { optionsFrom, schemaValues } from "../schema-options.js";
import { generationSettingsSchema, modelInitSchema, tokenIdsSchema } from "@cftkit/lm/model-settings";
import { defineCommand, param, text, pathParam } from "../define-command.js";
import { hiddenStates } from "./lm-hidden-states.js";

// @cftkit/lm pulls in tfjs and transformers.js: load it inside the actions.
const lmApi = () => import("@cftkit/lm");

const modelDir = (what: string) => param("<model-dir>", what, text(), { path: "model" });

const init = defineCommand({
  path: ["lm", "init"],
  description: "write a fresh random model folder (config, weights, byte-level tokenizer, generation config)",
  examples: ["cftkit lm init --preset tiny --seed 0 --out models/tiny"],
  options: {
    out: pathParam("--out <dir>", "output folder", "output-model"),
    ...optionsFrom(modelInitSchema, { preset: "name", seed: "s", dtype: "dtype" }),
  },
  async run(options) {
    const { describeInitModelFolder, initModelFolder } = await lmApi();
    const result = await initModelFolder(options.out, options);
    printResult(options, result, () => describeInitModelFolder(result));
  },
});

const logits = defineCommand({
  path: ["lm", "logits"],
  description: "logits and per-layer mean hidden states for token ids (no tokenizer needed)",
  examples: ["cftkit lm logits models/tiny --token-ids 256,72,101 --json"],
  args: { modelDir: modelDir("HF model folder (config.json + safetensors)") },
  options: { tokenIds: param("--token-ids <ids>", "comma-separated token ids, e.g. 1,2,3", tokenIdsSchema) },
  async run(options) {
    const { describeTokenLogits, tokenLogitsOfModelFolder } = await lmApi();
    const doc = await tokenLogitsOfModelFolder(options.modelDir, options.tokenIds);
    printResult(options, doc, () => describeTokenLogits(doc));
  },
});

const generationFlags = {
  temperature: "t",
  topP: "p",
  seed: "s",
  stop: "text...",
  chatTemplate: { flag: "chat" },
} as const;
const { chat, stop, ...sampling } = optionsFrom(generationSettingsSchema, generationFlags);

const generate = defineCommand({
  path: ["lm", "generate"],
  description: "generate text (greedy by default; --temperature/--top-p/--seed to sample)",
  examples: ['cftkit lm generate models/tiny --prompt "Hello" --max-new-tokens 16'],
  args: { modelDir: modelDir("HF model folder with a tokenizer") },
  options: {
    prompt: param("--prompt <text...>", "one or more prompts", z.array(z.string()).min(1)),
    ...sampling,
    stop,
    chat,
  },
  async run(options) {
    const { describeGeneration, generationDocument } = await lmApi();
    const doc = await generationDocument(options.modelDir, options.prompt, {
      ...schemaValues(generationSettingsSchema, generationFlags, options),
      progress: progress(options),
    });
    printResult(options, doc, () => describeGeneration(doc));
  },
});

/** `cftkit lm init|logits|hidden-states|generate`. */
export const lmCommands = [init, logits, hiddenStates, generate];
