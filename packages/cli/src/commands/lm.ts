import { resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import { z } from "zod";
import { printHuman, printJson, progress } from "../cli-output.js";
import { count, defineCommand, flag, number, param, text, pathParam } from "../define-command.js";
import { hiddenStates } from "./lm-hidden-states.js";

// @cftkit/lm pulls in tfjs and transformers.js: load it inside the actions.
const lmApi = () => import("@cftkit/lm");

function parseTokenIds(raw: string): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const ids = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => p === "") || ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new CftkitError(
      "CLI_BAD_TOKEN_IDS",
      `--token-ids expects comma-separated non-negative integers, got "${raw}"`,
    );
  return ids;
}

const modelDir = (what: string) => param("<model-dir>", what, text(), { path: "model" });

const init = defineCommand({
  path: ["lm", "init"],
  description: "write a fresh random model folder (config, weights, byte-level tokenizer, generation config)",
  examples: ["cftkit lm init --preset tiny --seed 0 --out models/tiny"],
  options: {
    out: pathParam("--out <dir>", "output folder", "output-model"),
    preset: param("--preset <name>", "model size", z.enum(["tiny", "small"]).default("tiny")),
    seed: param("--seed <s>", "initialisation seed", count().default(0)),
    dtype: param("--dtype <dtype>", "weight dtype", z.enum(["F32", "BF16"]).default("F32")),
  },
  async run(options) {
    const { CausalLM, parameterCount } = await lmApi();
    const { seed } = options;
    const model = await CausalLM.init({ preset: options.preset, seed });
    try {
      await model.save(options.out, { dtype: options.dtype });
      const result = {
        out: resolve(options.out),
        preset: options.preset,
        seed,
        dtype: options.dtype,
        parameters: parameterCount(model.config),
        hidden_size: model.config.hiddenSize,
        num_hidden_layers: model.config.numHiddenLayers,
        vocab_size: model.config.vocabSize,
      };
      if (options.json) printJson(result);
      else
        printHuman(
          options,
          `wrote ${result.out} (${options.preset}, ${result.parameters} parameters, seed ${seed})`,
        );
    } finally {
      model.dispose();
    }
  },
});

const logits = defineCommand({
  path: ["lm", "logits"],
  description: "logits and per-layer mean hidden states for token ids (no tokenizer needed)",
  examples: ["cftkit lm logits models/tiny --token-ids 256,72,101 --json"],
  args: { modelDir: modelDir("HF model folder (config.json + safetensors)") },
  options: { tokenIds: param("--token-ids <ids>", "comma-separated token ids, e.g. 1,2,3", text()) },
  async run(options) {
    const ids = parseTokenIds(options.tokenIds);
    const { CausalLM, tokenLogits } = await lmApi();
    const model = await CausalLM.load(options.modelDir);
    try {
      const { logits, hiddenMean } = await tokenLogits(model, ids);
      if (options.json) printJson({ logits, hidden_mean: hiddenMean });
      else {
        const last = logits[logits.length - 1]!;
        const top = last
          .map((v, i) => [i, v] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5);
        printHuman(
          options,
          `positions: ${ids.length}, vocab: ${model.config.vocabSize}, layers (hidden states): ${hiddenMean.length}\n` +
            `top-5 next tokens at the last position: ${top.map(([i, v]) => `${i} (${v.toFixed(4)})`).join(", ")}`,
        );
      }
    } finally {
      model.dispose();
    }
  },
});

const generate = defineCommand({
  path: ["lm", "generate"],
  description: "generate text (greedy by default; --temperature/--top-p/--seed to sample)",
  examples: ['cftkit lm generate models/tiny --prompt "Hello" --max-new-tokens 16'],
  args: { modelDir: modelDir("HF model folder with a tokenizer") },
  options: {
    prompt: param("--prompt <text...>", "one or more prompts", z.array(z.string()).min(1)),
    maxNewTokens: param(
      "--max-new-tokens <n>",
      "tokens to generate at most",
      count(z.number().int().min(1)).default(128),
    ),
    temperature: param("--temperature <t>", "0 = greedy", number(z.number().min(0)).default(0)),
    topP: param("--top-p <p>", "nucleus sampling mass", number(z.number().gt(0).max(1)).default(1)),
    seed: param("--seed <s>", "sampling seed", count().default(0)),
    stop: param("--stop <text...>", "stop strings", z.array(z.string()).optional()),
    chat: param("--chat", "wrap each prompt as a user turn with the chat template", flag()),
  },
  async run(options) {
    const { CausalLM } = await lmApi();
    const model = await CausalLM.load(options.modelDir);
    try {
      const { seed } = options;
      const results = await model.generate(options.prompt, {
        maxNewTokens: options.maxNewTokens,
        temperature: options.temperature,
        topP: options.topP,
        seed,
        stop: options.stop,
        chatTemplate: options.chat,
        progress: progress(options),
      });
      if (options.json)
        printJson({
          seed,
          results: results.map((r, i) => ({
            prompt: options.prompt[i],
            text: r.text,
            token_ids: r.tokenIds,
            finish_reason: r.finishReason,
          })),
        });
      else for (const r of results) printHuman(options, r.text);
    } finally {
      model.dispose();
    }
  },
});

/** `cftkit lm init|logits|hidden-states|generate`. */
export const lmCommands = [init, logits, hiddenStates, generate];
