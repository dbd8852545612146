import { resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { Command } from "commander";
import { type CommonOptions, parseNumberOption, printHuman, printJson, progress } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";
import { type HiddenStatesOptions, hiddenStatesAction } from "./lm-hidden-states.js";

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

/** The bundled MT-Bench questions (DESIGN.md: the default prompt set for drift). */
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
      .option(
        "--stream",
        "stream the model one decoder layer at a time (any size; default: when it does not fit)",
      )
      .option("--engine <name>", "embedded | transformers (bundled torch + transformers script)", "embedded")
      .option(
        "--memory-budget <GiB>",
        "stream when holding the model would take more (default: half the memory)",
      )
      .option("--work-dir <dir>", "streamed run's resumable work folder (default: <out>.work)")
      .option("--batch-tokens <n>", "streamed: padded tokens per onnxruntime run", "2048")
      .option("--python <path>", "transformers engine: the interpreter", "python3")
      .option("--device <name>", "transformers engine: auto | cpu | cuda", "auto")
      .option(
        "--dtype <name>",
        "transformers engine: auto (bf16 on GPU) | float32 | bfloat16 | float16",
        "auto",
      )
      .option("--json", "print one JSON document: {layers, samples, hidden_size, engine}")
      .option("--quiet", "no progress on stderr")
      .action((dir: string, options: HiddenStatesOptions) => hiddenStatesAction(dir, options));

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
