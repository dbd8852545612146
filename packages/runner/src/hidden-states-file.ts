import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { CftkitError, checkOptions, type ProgressReporter } from "@cftkit/core";
import { readPrompts } from "@cftkit/datasets";
import type { TransformersEngineOptions } from "@cftkit/lm";
import { bundledMtBenchQuestions } from "./bundled-data.js";
import { hiddenStatesSettingsSchema } from "./hidden-states-settings.js";

/**
 * Per-layer mean hidden states of a prompt file → an activation file (docs/formats.md), by one of three engines
 * with one output: the model held in memory (small models), the layer-streamed engine (any size; chosen by
 * itself when the model does not fit the memory budget, or asked for) and the bundled transformers script
 * (the fast path on a GPU node). `cftkit lm hidden-states` is this function.
 */
export interface HiddenStatesFileOptions {
  /** Prompts JSONL (MT-Bench rows use their first turn; default: the bundled MT-Bench questions). */
  prompts?: string;
  /** Only the first n prompts. */
  limit?: number;
  /** Truncate each prompt to this many tokens (default: max_position_embeddings). */
  maxTokens?: number;
  /** Wrap each prompt as a user turn with the model's chat template. */
  chatTemplate?: boolean;
  engine: "embedded" | "transformers";
  /** Embedded engine: stream the model one decoder layer at a time even when it fits. */
  stream?: boolean;
  /** Embedded engine: stream when holding the model would take more GiB (default: half the machine's memory). */
  memoryBudgetGiB?: number;
  /** Streamed engine: the resumable work folder (default `<out>.work`), removed when done. */
  workDir?: string;
  /** Prompts per forward pass (in-memory and transformers engines). */
  batchSize: number;
  /** Streamed engine: padded tokens per onnxruntime run. */
  batchTokens: number;
  /** Transformers engine: interpreter, device and dtype. */
  transformers?: Pick<TransformersEngineOptions, "python" | "device" | "dtype">;
  progress?: ProgressReporter;
  log?: (line: string) => void;
}

export interface HiddenStatesFileResult {
  /** Hidden states per prompt: the embeddings and one per decoder layer. */
  layers: number;
  samples: number;
  hidden_size: number;
  engine: "in-memory" | "streamed" | "transformers";
  /** Streamed engine: the layer a killed run went on after. */
  resumed_after_layer?: number | null;
  /** Transformers engine. */
  device?: string;
  dtype?: string;
}

export async function writeHiddenStatesFile(
  modelDir: string,
  outFile: string,
  options: HiddenStatesFileOptions,
): Promise<HiddenStatesFileResult> {
  // The schema keeps its own fields (the callbacks and transformers settings are not its to check).
  checkOptions(hiddenStatesSettingsSchema, options, "RUN_BAD_OPTION");
  if (options.stream && options.engine !== "embedded")
    throw new CftkitError(
      "RUN_BAD_OPTION",
      "stream applies to the embedded engine, not the transformers engine",
    );
  const out = resolve(outFile);
  const { config, promptsFile, ids } = await tokenizePrompts(modelDir, options);
  const metadata = {
    model: resolve(modelDir),
    prompts: promptsFile,
    pooling: "mean",
    chat_template: options.chatTemplate ? "true" : "false",
  };
  options.log?.(`hidden states of ${ids.length} prompts from ${promptsFile}`);
  const shape = { layers: config.numHiddenLayers + 1, samples: ids.length, hidden_size: config.hiddenSize };
  if (options.engine === "transformers") {
    const { transformersHiddenStates } = await import("@cftkit/lm");
    const result = await transformersHiddenStates(modelDir, ids, out, {
      ...options.transformers,
      batchSize: options.batchSize,
      metadata,
      log: options.log,
    });
    return { ...shape, engine: "transformers", device: result.device, dtype: result.dtype };
  }
  const { reasonToStream } = await import("@cftkit/lm");
  const budget = options.memoryBudgetGiB === undefined ? undefined : options.memoryBudgetGiB * 1024 ** 3;
  const reason = options.stream ? null : reasonToStream(config, budget);
  if (reason) options.log?.(`streaming the model one layer at a time: ${reason}`);
  if (options.stream || reason) {
    const resumed = await streamedFile(modelDir, ids, out, metadata, options);
    return { ...shape, engine: "streamed", resumed_after_layer: resumed };
  }
  await inMemoryFile(modelDir, ids, out, metadata, options);
  return { ...shape, engine: "in-memory" };
}

/** The file in words (`cftkit lm hidden-states` without --json): where it went, its shape and engine. */
export function describeHiddenStatesFile(result: HiddenStatesFileResult, outFile: string): string {
  return `wrote ${resolve(outFile)}: ${result.layers} layers × ${result.samples} samples × ${result.hidden_size} (${result.engine})`;
}

/** Tokenize the prompts as the model's tokenizer does (BOS included, or the chat template). */
async function tokenizePrompts(dir: string, options: HiddenStatesFileOptions) {
  const { hasTokenizer, loadTokenizer, readModelConfig } = await import("@cftkit/lm");
  const promptsFile = resolve(options.prompts ?? bundledMtBenchQuestions());
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

/** The layer-streamed engine, then the activation file; the work folder goes when the file is written. */
async function streamedFile(
  dir: string,
  ids: number[][],
  out: string,
  metadata: Record<string, string>,
  options: HiddenStatesFileOptions,
): Promise<number | null> {
  const { streamedMeanHiddenStates } = await import("@cftkit/lm");
  const { writeActivationFile } = await import("@cftkit/similarity");
  const workDir = resolve(options.workDir ?? `${out}.work`);
  const result = await streamedMeanHiddenStates(dir, ids, {
    workDir,
    batchTokens: options.batchTokens,
    progress: options.progress,
    log: options.log,
  });
  const H = result.config.hiddenSize;
  const perSample = ids.map((_, s) => result.layers.map((layer) => layer.subarray(s * H, (s + 1) * H)));
  await writeActivationFile(out, perSample, { ...metadata, engine: "streamed" });
  await rm(workDir, { recursive: true, force: true });
  return result.resumedAfterLayer;
}

async function inMemoryFile(
  dir: string,
  ids: number[][],
  out: string,
  metadata: Record<string, string>,
  options: HiddenStatesFileOptions,
): Promise<void> {
  const { CausalLM } = await import("@cftkit/lm");
  const { writeActivationFile } = await import("@cftkit/similarity");
  const model = await CausalLM.load(dir);
  try {
    const means = await model.meanHiddenStatesOfIds(ids, {
      batchSize: options.batchSize,
      progress: options.progress,
    });
    await writeActivationFile(out, means, { ...metadata, engine: "in-memory" });
  } finally {
    model.dispose();
  }
}
