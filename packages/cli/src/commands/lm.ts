import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError, readJsonLines } from "@cftkit/core";
import type { Command } from "commander";
import {
  type CommonOptions,
  log,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

// @cftkit/lm pulls in tfjs and transformers.js: load it inside the actions.
const lmApi = () => import("@cftkit/lm");

interface InitOptions extends CommonOptions {
  preset: string;
  out: string;
  seed: string;
  dtype: string;
}
interface LogitsOptions extends CommonOptions {
  tokenIds: string;
}
interface HiddenStatesOptions extends CommonOptions {
  prompts?: string;
  out: string;
  batchSize: string;
  maxTokens?: string;
  limit?: string;
  chatTemplate?: boolean;
}
interface GenerateCliOptions extends CommonOptions {
  prompt: string[];
  maxNewTokens: string;
  temperature: string;
  topP: string;
  seed: string;
  stop?: string[];
  chat?: boolean;
}

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

/** The bundled MT-Bench questions (the default prompt set for drift, as in the paper §4.4). */
function defaultPromptsFile(): string {
  const here = fileURLToPath(import.meta.url);
  const candidates = [
    resolve(here, "../../../../../data/mt_bench/question.jsonl"), // packages/cli/src/commands → repo root
    resolve(here, "../../../../data/mt_bench/question.jsonl"), // packages/cli/dist → repo root
    resolve(process.cwd(), "data/mt_bench/question.jsonl"),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new CftkitError(
      "CLI_MISSING_OPTION",
      "no --prompts given and data/mt_bench/question.jsonl was not found",
    );
  return found;
}

/**
 * Prompts from JSONL: MT-Bench rows (`turns[0]`, the first turn), or a `prompt`/`text`/`instruction`
 * (+ `input`) field, or a bare JSON string per line.
 */
async function readPrompts(file: string): Promise<string[]> {
  const prompts: string[] = [];
  for await (const line of readJsonLines(file)) {
    if (!line.ok)
      throw new CftkitError(
        "CLI_BAD_PROMPTS",
        `${file}:${line.lineNumber}: not valid JSON (${line.reason})`,
        {
          details: { file, line: line.lineNumber },
        },
      );
    const v = line.value;
    let text: unknown;
    if (typeof v === "string") text = v;
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.turns)) text = o.turns[0];
      else if (typeof o.prompt === "string") text = o.prompt;
      else if (typeof o.text === "string") text = o.text;
      else if (typeof o.instruction === "string")
        text = typeof o.input === "string" && o.input ? `${o.instruction}\n\n${o.input}` : o.instruction;
    }
    if (typeof text !== "string" || text.length === 0)
      throw new CftkitError(
        "CLI_BAD_PROMPTS",
        `${file}:${line.lineNumber}: expected "turns" (MT-Bench), "prompt", "text" or "instruction"`,
        { details: { file, line: line.lineNumber } },
      );
    prompts.push(text);
  }
  if (prompts.length === 0) throw new CftkitError("CLI_BAD_PROMPTS", `${file}: no prompts`);
  return prompts;
}

function lmGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === "lm") ??
    program.command("lm").description("the embedded Llama-family language model")
  );
}

/** `cftkit lm init|logits|hidden-states|generate`. */
export const lmCommand: CommandModule = {
  register(program: Command) {
    const lm = lmGroup(program);

    lm.command("init")
      .description(
        "write a fresh random model folder (config, weights, byte-level tokenizer, generation config)",
      )
      .requiredOption("--out <dir>", "output folder")
      .option("--preset <name>", "tiny | small", "tiny")
      .option("--seed <s>", "initialisation seed", "0")
      .option("--dtype <dtype>", "F32 | BF16", "F32")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (options: InitOptions) => {
        const { CausalLM, parameterCount } = await lmApi();
        if (options.preset !== "tiny" && options.preset !== "small")
          throw new CftkitError("CLI_BAD_OPTION", `--preset must be tiny or small, got "${options.preset}"`);
        if (options.dtype !== "F32" && options.dtype !== "BF16")
          throw new CftkitError("CLI_BAD_OPTION", `--dtype must be F32 or BF16, got "${options.dtype}"`);
        const seed = parseNumberOption("--seed", options.seed);
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
      });

    lm.command("logits")
      .description("logits and per-layer mean hidden states for token ids (no tokenizer needed)")
      .argument("<model-dir>", "HF model folder (config.json + safetensors)")
      .requiredOption("--token-ids <ids>", "comma-separated token ids, e.g. 1,2,3")
      .option("--json", "print one JSON document: {logits, hidden_mean}")
      .option("--quiet", "no logs on stderr")
      .action(async (dir: string, options: LogitsOptions) => {
        const { CausalLM } = await lmApi();
        const ids = parseTokenIds(options.tokenIds);
        const model = await CausalLM.load(dir);
        try {
          const out = await model.forward([ids], { hiddenStates: true });
          const V = model.config.vocabSize;
          const H = model.config.hiddenSize;
          const flat = out.logits[0]!;
          const logits = ids.map((_, p) => Array.from(flat.subarray(p * V, (p + 1) * V)));
          const hiddenMean = out.hiddenStates![0]!.map((layer) => {
            const mean = new Array<number>(H).fill(0);
            for (let p = 0; p < ids.length; p++)
              for (let j = 0; j < H; j++) mean[j]! += layer[p * H + j]! / ids.length;
            return mean;
          });
          if (options.json) printJson({ logits, hidden_mean: hiddenMean });
          else {
            const last = logits[logits.length - 1]!;
            const top = last
              .map((v, i) => [i, v] as const)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5);
            printHuman(
              options,
              `positions: ${ids.length}, vocab: ${V}, layers (hidden states): ${hiddenMean.length}\n` +
                `top-5 next tokens at the last position: ${top.map(([i, v]) => `${i} (${v.toFixed(4)})`).join(", ")}`,
            );
          }
        } finally {
          model.dispose();
        }
      });

    lm.command("hidden-states")
      .description(
        "per-layer mean hidden states of prompts → activation file (layer.<i> F32 [samples, hidden])",
      )
      .argument("<model-dir>", "HF model folder with a tokenizer")
      .option(
        "--prompts <jsonl>",
        "prompts JSONL (MT-Bench rows use their first turn); default: bundled MT-Bench",
      )
      .requiredOption("--out <file>", "output .safetensors")
      .option("--batch-size <n>", "prompts per forward pass", "8")
      .option(
        "--max-tokens <n>",
        "truncate each prompt to this many tokens (default: max_position_embeddings)",
      )
      .option("--limit <n>", "only the first n prompts")
      .option("--chat-template", "wrap each prompt as a user turn with the model's chat template")
      .option("--json", "print one JSON document: {layers, samples, hidden_size}")
      .option("--quiet", "no progress on stderr")
      .action(async (dir: string, options: HiddenStatesOptions) => {
        const { CausalLM } = await lmApi();
        const promptsFile = resolve(options.prompts ?? defaultPromptsFile());
        let prompts = await readPrompts(promptsFile);
        if (options.limit !== undefined)
          prompts = prompts.slice(0, parseNumberOption("--limit", options.limit));
        const model = await CausalLM.load(dir);
        try {
          const tok = model.tokenizer;
          if (!tok)
            throw new CftkitError(
              "LM_NO_TOKENIZER",
              `${resolve(dir)}: hidden-states needs tokenizer.json + tokenizer_config.json`,
            );
          const texts = options.chatTemplate
            ? prompts.map((p) =>
                tok.applyChatTemplate([{ role: "user", content: p }], { addGenerationPrompt: true }),
              )
            : prompts;
          const maxTokens =
            options.maxTokens === undefined
              ? model.config.maxPositionEmbeddings
              : parseNumberOption("--max-tokens", options.maxTokens);
          const ids = texts.map((t) =>
            tok.encode(t, { addSpecialTokens: !options.chatTemplate }).slice(0, maxTokens),
          );
          log(options, `hidden states of ${ids.length} prompts from ${promptsFile}`);
          const means = await model.meanHiddenStatesOfIds(ids, {
            batchSize: parseNumberOption("--batch-size", options.batchSize),
            progress: progress(options),
          });
          const { writeActivationFile } = await import("@cftkit/similarity");
          const { layers, hidden: H } = await writeActivationFile(options.out, means, {
            model: resolve(dir),
            prompts: promptsFile,
            chat_template: options.chatTemplate ? "true" : "false",
          });
          const result = { layers, samples: means.length, hidden_size: H };
          if (options.json) printJson(result);
          else
            printHuman(
              options,
              `wrote ${resolve(options.out)}: ${layers} layers × ${means.length} samples × ${H}`,
            );
        } finally {
          model.dispose();
        }
      });

    lm.command("generate")
      .description("generate text (greedy by default; --temperature/--top-p/--seed to sample)")
      .argument("<model-dir>", "HF model folder with a tokenizer")
      .requiredOption("--prompt <text...>", "one or more prompts")
      .option("--max-new-tokens <n>", "tokens to generate at most", "128")
      .option("--temperature <t>", "0 = greedy", "0")
      .option("--top-p <p>", "nucleus sampling mass", "1")
      .option("--seed <s>", "sampling seed", "0")
      .option("--stop <text...>", "stop strings")
      .option("--chat", "wrap each prompt as a user turn with the chat template")
      .option("--json", "print one JSON document")
      .option("--quiet", "no progress on stderr")
      .action(async (dir: string, options: GenerateCliOptions) => {
        const { CausalLM } = await lmApi();
        const model = await CausalLM.load(dir);
        try {
          const seed = parseNumberOption("--seed", options.seed);
          const results = await model.generate(options.prompt, {
            maxNewTokens: parseNumberOption("--max-new-tokens", options.maxNewTokens),
            temperature: parseNumberOption("--temperature", options.temperature),
            topP: parseNumberOption("--top-p", options.topP),
            seed,
            stop: options.stop,
            chatTemplate: Boolean(options.chat),
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
      });
  },
};
