/**
 * `cftkit lm hidden-states`: per-layer mean hidden states of prompts → activation file; the three engines
 * (in memory, layer-streamed, transformers) are @cftkit/runner's `writeHiddenStatesFile`.
 */
import { CftkitError } from "@cftkit/core";
import { hiddenStatesSettingsSchema, transformersEngineSchema } from "@cftkit/runner/hidden-states-settings";
import { log, printResult, progress } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

const { prompts, ...settings } = optionsFrom(hiddenStatesSettingsSchema, {
  prompts: "jsonl",
  engine: "name",
  workDir: "dir",
  memoryBudgetGiB: { flag: "memory-budget", metavar: "GiB" },
});

const hiddenStatesOptions = {
  prompts,
  out: pathParam("--out <file>", "output .safetensors", "output-file"),
  ...settings,
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
    // writeHiddenStatesFile refuses this too (RUN_BAD_OPTION); the CLI keeps its own code and flag names.
    if (options.stream && options.engine !== "embedded")
      throw new CftkitError(
        "CLI_BAD_OPTION",
        "--stream applies to the embedded engine, not --engine transformers",
      );
    const { describeHiddenStatesFile, writeHiddenStatesFile } = await import("@cftkit/runner");
    const { python, device, dtype } = options;
    const result = await writeHiddenStatesFile(options.modelDir, options.out, {
      ...options,
      memoryBudgetGiB: options.memoryBudget,
      transformers: { python, device, dtype },
      progress: progress(options),
      log: (line) => log(options, line),
    });
    printResult(options, result, () => describeHiddenStatesFile(result, options.out));
  },
});
