/**
 * `cftkit lm hidden-states`: per-layer mean hidden states of prompts → activation file. Three engines, one file
 * format: the in-memory model (small models), the layer-streamed engine (any size; chosen automatically when
 * the model does not fit the memory budget, or with --stream) and the bundled transformers script
 * (--engine transformers, the fast path on a GPU node).
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError } from "@cftkit/core";
import { readPrompts } from "@cftkit/datasets";
import { z } from "zod";
import { type CommonOptions, log, printHuman, printJson, progress } from "../cli-output.js";
import { type Values, count, defineCommand, flag, number, param, text } from "../define-command.js";

/** The bundled MT-Bench questions: the default prompt set for drift. */
export function defaultPromptsFile(): string {
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

/** Tokenize the prompts as the model's tokenizer does (BOS included, or the chat template). */
async function tokenizePrompts(dir: string, options: HiddenStatesOptions) {
  const { hasTokenizer, loadTokenizer, readModelConfig } = await import("@cftkit/lm");
  const promptsFile = resolve(options.prompts ?? defaultPromptsFile());
  let prompts = await readPrompts(promptsFile);
  if (options.limit !== undefined) prompts = prompts.slice(0, options.limit);
  const config = await readModelConfig(dir);
  if (!(await hasTokenizer(dir)))
    throw new CftkitError(
      "LM_NO_TOKENIZER",
      `${resolve(dir)}: hidden-states needs tokenizer.json + tokenizer_config.json`,
    );
  const tok = await loadTokenizer(dir);
  const maxTokens = options.maxTokens ?? config.maxPositionEmbeddings;
  const ids = prompts.map((p) =>
    options.chatTemplate
      ? tok.encode(tok.applyChatTemplate([{ role: "user", content: p }], { addGenerationPrompt: true }), {
          addSpecialTokens: false,
        })
      : tok.encode(p, { addSpecialTokens: true }),
  );
  return { config, promptsFile, ids: ids.map((row) => row.slice(0, maxTokens)) };
}

const hiddenStatesOptions = {
  prompts: param(
    "--prompts <jsonl>",
    "prompts JSONL (MT-Bench rows use their first turn); default: bundled MT-Bench",
    text().optional(),
    { path: "input" },
  ),
  out: param("--out <file>", "output .safetensors", text(), { path: "output-file" }),
  batchSize: param("--batch-size <n>", "prompts per forward pass", count(z.number().int().min(1)).default(8)),
  maxTokens: param(
    "--max-tokens <n>",
    "truncate each prompt to this many tokens (default: max_position_embeddings)",
    count(z.number().int().min(1)).optional(),
  ),
  limit: param("--limit <n>", "only the first n prompts", count(z.number().int().min(1)).optional()),
  chatTemplate: param(
    "--chat-template",
    "wrap each prompt as a user turn with the model's chat template",
    flag(),
  ),
  stream: param(
    "--stream",
    "stream the model one decoder layer at a time (any size; chosen by itself when the model does not fit)",
    flag(),
  ),
  engine: param(
    "--engine <name>",
    "embedded (in memory or streamed) | transformers (bundled torch + transformers script, GPU when present)",
    z.enum(["embedded", "transformers"]).default("embedded"),
  ),
  memoryBudget: param(
    "--memory-budget <GiB>",
    "stream when holding the model would take more (default: half the machine's memory)",
    number(z.number().gt(0)).optional(),
  ),
  workDir: param(
    "--work-dir <dir>",
    "the streamed run's resumable work folder (default: <out>.work)",
    text().optional(),
    { path: "output-folder" },
  ),
  batchTokens: param(
    "--batch-tokens <n>",
    "streamed engine: padded tokens per onnxruntime run",
    count(z.number().int().min(1)).default(2048),
  ),
  python: param("--python <path>", "transformers engine: the interpreter", text().default("python3")),
  device: param(
    "--device <name>",
    "transformers engine: the device",
    z.enum(["auto", "cpu", "cuda"]).default("auto"),
  ),
  dtype: param(
    "--dtype <name>",
    "transformers engine: weights dtype (auto = bfloat16 on a GPU, float32 on the CPU)",
    z.enum(["auto", "float32", "bfloat16", "float16"]).default("auto"),
  ),
};

type HiddenStatesOptions = Values<typeof hiddenStatesOptions> & CommonOptions & { modelDir: string };

export const hiddenStates = defineCommand({
  path: ["lm", "hidden-states"],
  description: "per-layer mean hidden states of prompts → activation file (layer.<i> F32 [samples, hidden])",
  examples: [
    "cftkit lm hidden-states models/tiny --limit 20 --out acts.safetensors",
    "cftkit lm hidden-states models/Llama-3-8B --stream --prompts data/mt_bench/question.jsonl --max-tokens 256 --out acts.safetensors",
    "cftkit lm hidden-states models/Llama-3-8B --engine transformers --out acts.safetensors",
  ],
  args: { modelDir: param("<model-dir>", "HF model folder with a tokenizer", text(), { path: "model" }) },
  options: hiddenStatesOptions,
  run: (options) => hiddenStatesAction(options),
});

async function hiddenStatesAction(options: HiddenStatesOptions): Promise<void> {
  const dir = options.modelDir;
  if (options.stream && options.engine !== "embedded")
    throw new CftkitError(
      "CLI_BAD_OPTION",
      "--stream applies to the embedded engine, not --engine transformers",
    );
  const out = resolve(options.out);
  const { config, promptsFile, ids } = await tokenizePrompts(dir, options);
  const metadata = {
    model: resolve(dir),
    prompts: promptsFile,
    pooling: "mean",
    chat_template: options.chatTemplate ? "true" : "false",
  };
  log(options, `hidden states of ${ids.length} prompts from ${promptsFile}`);
  let engine: string;
  let extra: Record<string, unknown> = {};
  if (options.engine === "transformers") {
    const { transformersHiddenStates } = await import("@cftkit/lm");
    const result = await transformersHiddenStates(dir, ids, out, {
      python: options.python,
      device: options.device,
      dtype: options.dtype,
      batchSize: options.batchSize,
      metadata,
      log: (line) => log(options, line),
    });
    engine = "transformers";
    extra = { device: result.device, dtype: result.dtype };
  } else {
    const { reasonToStream } = await import("@cftkit/lm");
    const budget = options.memoryBudget === undefined ? undefined : options.memoryBudget * 1024 ** 3;
    const reason = options.stream ? null : reasonToStream(config, budget);
    if (reason) log(options, `streaming the model one layer at a time: ${reason}`);
    engine = options.stream || reason ? "streamed" : "in-memory";
    extra = await runEmbedded(dir, ids, out, metadata, engine === "streamed", options);
  }
  const result = {
    layers: config.numHiddenLayers + 1,
    samples: ids.length,
    hidden_size: config.hiddenSize,
    engine,
    ...extra,
  };
  if (options.json) printJson(result);
  else
    printHuman(
      options,
      `wrote ${out}: ${result.layers} layers × ${ids.length} samples × ${config.hiddenSize} (${engine})`,
    );
}

/** The in-memory model or the layer-streamed engine, then the activation file. */
async function runEmbedded(
  dir: string,
  ids: number[][],
  out: string,
  metadata: Record<string, string>,
  streamed: boolean,
  options: HiddenStatesOptions,
): Promise<Record<string, unknown>> {
  const { CausalLM, streamedMeanHiddenStates } = await import("@cftkit/lm");
  const { writeActivationFile } = await import("@cftkit/similarity");
  if (streamed) {
    const workDir = resolve(options.workDir ?? `${out}.work`);
    const result = await streamedMeanHiddenStates(dir, ids, {
      workDir,
      batchTokens: options.batchTokens,
      progress: progress(options),
      log: (line) => log(options, line),
    });
    const H = result.config.hiddenSize;
    const perSample = ids.map((_, s) => result.layers.map((layer) => layer.subarray(s * H, (s + 1) * H)));
    await writeActivationFile(out, perSample, { ...metadata, engine: "streamed" });
    await rm(workDir, { recursive: true, force: true });
    return { resumed_after_layer: result.resumedAfterLayer };
  }
  const model = await CausalLM.load(dir);
  try {
    const means = await model.meanHiddenStatesOfIds(ids, {
      batchSize: options.batchSize,
      progress: progress(options),
    });
    await writeActivationFile(out, means, { ...metadata, engine: "in-memory" });
    return {};
  } finally {
    model.dispose();
  }
}
