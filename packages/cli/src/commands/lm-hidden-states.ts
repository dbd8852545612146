/**
 * `cftkit lm hidden-states`: per-layer mean hidden states of prompts → activation file. Three engines, one file
 * format: the in-memory model (small models), the layer-streamed engine (any size; chosen automatically when
 * the model does not fit the memory budget, or with --stream) and the bundled transformers script
 * (--engine transformers, the fast path on a GPU node). The options are declared in lm.ts.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError, readJsonLines } from "@cftkit/core";
import {
  type CommonOptions,
  log,
  parseNumberOption,
  printHuman,
  printJson,
  progress,
} from "../cli-output.js";

export interface HiddenStatesOptions extends CommonOptions {
  prompts?: string;
  out: string;
  batchSize: string;
  maxTokens?: string;
  limit?: string;
  chatTemplate?: boolean;
  stream?: boolean;
  engine: string;
  memoryBudget?: string;
  workDir?: string;
  batchTokens: string;
  python: string;
  device: string;
  dtype: string;
}

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

/**
 * Prompts from JSONL: MT-Bench rows (`turns[0]`, the first turn), or a `prompt`/`text`/`instruction`
 * (+ `input`) field, or a bare JSON string per line.
 */
export async function readPrompts(file: string): Promise<string[]> {
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

const ENGINES = ["embedded", "transformers"];

/** Tokenize the prompts as the model's tokenizer does (BOS included, or the chat template). */
async function tokenizePrompts(dir: string, options: HiddenStatesOptions) {
  const { hasTokenizer, loadTokenizer, readModelConfig } = await import("@cftkit/lm");
  const promptsFile = resolve(options.prompts ?? defaultPromptsFile());
  let prompts = await readPrompts(promptsFile);
  if (options.limit !== undefined) prompts = prompts.slice(0, parseNumberOption("--limit", options.limit));
  const config = await readModelConfig(dir);
  if (!(await hasTokenizer(dir)))
    throw new CftkitError(
      "LM_NO_TOKENIZER",
      `${resolve(dir)}: hidden-states needs tokenizer.json + tokenizer_config.json`,
    );
  const tok = await loadTokenizer(dir);
  const maxTokens =
    options.maxTokens === undefined
      ? config.maxPositionEmbeddings
      : parseNumberOption("--max-tokens", options.maxTokens);
  const ids = prompts.map((p) =>
    options.chatTemplate
      ? tok.encode(tok.applyChatTemplate([{ role: "user", content: p }], { addGenerationPrompt: true }), {
          addSpecialTokens: false,
        })
      : tok.encode(p, { addSpecialTokens: true }),
  );
  return { config, promptsFile, ids: ids.map((row) => row.slice(0, maxTokens)) };
}

export async function hiddenStatesAction(dir: string, options: HiddenStatesOptions): Promise<void> {
  if (!ENGINES.includes(options.engine))
    throw new CftkitError(
      "CLI_BAD_OPTION",
      `--engine must be one of ${ENGINES.join(", ")}, got "${options.engine}"`,
    );
  if (options.stream && options.engine !== "embedded")
    throw new CftkitError(
      "CLI_BAD_OPTION",
      "--stream applies to the embedded engine, not --engine transformers",
    );
  const out = resolve(options.out);
  const { config, promptsFile, ids } = await tokenizePrompts(dir, options);
  if (out === promptsFile) throw new CftkitError("CLI_OUTPUT_IS_INPUT", `--out ${out} is the prompts file`);
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
      device: options.device as "auto",
      dtype: options.dtype as "auto",
      batchSize: parseNumberOption("--batch-size", options.batchSize),
      metadata,
      log: (line) => log(options, line),
    });
    engine = "transformers";
    extra = { device: result.device, dtype: result.dtype };
  } else {
    const { reasonToStream } = await import("@cftkit/lm");
    const budget =
      options.memoryBudget === undefined
        ? undefined
        : parseNumberOption("--memory-budget", options.memoryBudget) * 1024 ** 3;
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
      batchTokens: parseNumberOption("--batch-tokens", options.batchTokens),
      progress: progress(options),
      log: (line) => log(options, line),
    });
    await writeActivationFile(out, result.layers, ids.length, { ...metadata, engine: "streamed" });
    await rm(workDir, { recursive: true, force: true });
    return { resumed_after_layer: result.resumedAfterLayer };
  }
  const model = await CausalLM.load(dir);
  try {
    const means = await model.meanHiddenStatesOfIds(ids, {
      batchSize: parseNumberOption("--batch-size", options.batchSize),
      progress: progress(options),
    });
    const H = model.config.hiddenSize;
    const layers = Array.from({ length: model.config.numHiddenLayers + 1 }, (_, l) => {
      const data = new Float32Array(means.length * H);
      for (const [s, m] of means.entries()) data.set(m[l]!, s * H);
      return data;
    });
    await writeActivationFile(out, layers, ids.length, { ...metadata, engine: "in-memory" });
    return {};
  } finally {
    model.dispose();
  }
}
