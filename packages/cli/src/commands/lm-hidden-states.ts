/**
 * `cftkit lm hidden-states`: per-layer mean hidden states of prompts → activation file; the three engines
 * (in memory, layer-streamed, transformers) are @cftkit/runner's `writeHiddenStatesFile`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError } from "@cftkit/core";
import { hiddenStatesSettingsSchema, transformersEngineSchema } from "@cftkit/runner/hidden-states-settings";
import { z } from "zod";
import { log, printResult, progress } from "../cli-output.js";
import { defineCommand, number, param, pathParam, optionalPath } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

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

const { batchSize, maxTokens, limit, chatTemplate, stream, engine, batchTokens, workDir } = optionsFrom(
  hiddenStatesSettingsSchema,
  { engine: "name", workDir: "dir" },
);

const hiddenStatesOptions = {
  prompts: optionalPath(
    "--prompts <jsonl>",
    "prompts JSONL (MT-Bench rows use their first turn); default: bundled MT-Bench",
    "input",
  ),
  out: pathParam("--out <file>", "output .safetensors", "output-file"),
  batchSize,
  maxTokens,
  limit,
  chatTemplate,
  stream,
  engine,
  memoryBudget: param(
    "--memory-budget <GiB>",
    "stream when holding the model would take more (default: half the machine's memory)",
    number(z.number().gt(0)).optional(),
  ),
  workDir,
  batchTokens,
  ...optionsFrom(transformersEngineSchema, { python: "path", device: "name", dtype: "name" }),
};

export const hiddenStates = defineCommand({
  path: ["lm", "hidden-states"],
  description: "per-layer mean hidden states of prompts → activation file (layer.<i> F32 [samples, hidden])",
  examples: [
    "cftkit lm hidden-states models/tiny --limit 20 --out acts.safetensors",
    "cftkit lm hidden-states models/Llama-3-8B --stream --prompts data/mt_bench/question.jsonl --max-tokens 256 --out acts.safetensors",
    "cftkit lm hidden-states models/Llama-3-8B --engine transformers --out acts.safetensors",
  ],
  args: { modelDir: pathParam("<model-dir>", "HF model folder with a tokenizer", "model") },
  options: hiddenStatesOptions,
  async run(options) {
    if (options.stream && options.engine !== "embedded")
      throw new CftkitError(
        "CLI_BAD_OPTION",
        "--stream applies to the embedded engine, not --engine transformers",
      );
    const { writeHiddenStatesFile } = await import("@cftkit/runner");
    const { python, device, dtype } = options;
    const result = await writeHiddenStatesFile(options.modelDir, options.out, {
      ...options,
      prompts: options.prompts ?? defaultPromptsFile(),
      memoryBudgetBytes: options.memoryBudget === undefined ? undefined : options.memoryBudget * 1024 ** 3,
      transformers: { python, device, dtype },
      progress: progress(options),
      log: (line) => log(options, line),
    });
    printResult(
      options,
      result,
      () =>
        `wrote ${resolve(options.out)}: ${result.layers} layers × ${result.samples} samples × ${result.hidden_size} (${result.engine})`,
    );
  },
});
