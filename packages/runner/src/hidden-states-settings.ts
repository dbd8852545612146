import { z } from "zod";

// Its own entry (`@cftkit/runner/hidden-states-settings`, nothing heavy behind it) so `cftkit --help` can read it.

/** A whole number ≥ 1 (zod's uint32 would report "≥ 0" for a negative one). */
const positive = () =>
  z
    .int()
    .min(1)
    .max(2 ** 32 - 1);

/** The settings writeHiddenStatesFile checks; `cftkit lm hidden-states` builds those flags from it. */
export const hiddenStatesSettingsSchema = z.object({
  prompts: z
    .string()
    .min(1)
    .meta({ path: "input" })
    .optional()
    .describe("prompts JSONL (MT-Bench rows use their first turn); default: bundled MT-Bench"),
  batchSize: positive().default(8).describe("prompts per forward pass"),
  maxTokens: positive()
    .optional()
    .describe("truncate each prompt to this many tokens (default: max_position_embeddings)"),
  limit: positive().optional().describe("only the first n prompts"),
  chatTemplate: z
    .boolean()
    .default(false)
    .describe("wrap each prompt as a user turn with the model's chat template"),
  stream: z
    .boolean()
    .default(false)
    .describe(
      "stream the model one decoder layer at a time (any size; chosen by itself when the model does not fit)",
    ),
  engine: z
    .enum(["embedded", "transformers"])
    .default("embedded")
    .describe(
      "embedded (in memory or streamed) | transformers (bundled torch + transformers script, GPU when present)",
    ),
  memoryBudgetGiB: z
    .number()
    .gt(0)
    .optional()
    .describe("stream when holding the model would take more (default: half the machine's memory)"),
  workDir: z
    .string()
    .min(1)
    .meta({ path: "output-folder" }) // written into: the CLI's path guard checks it
    .optional()
    .describe("the streamed run's resumable work folder (default: <out>.work)"),
  batchTokens: positive().default(2048).describe("streamed engine: padded tokens per onnxruntime run"),
});

/** The transformers engine's interpreter, device and dtype (`writeHiddenStatesFile`'s `transformers`). */
export const transformersEngineSchema = z.object({
  python: z.string().min(1).default("python3").describe("transformers engine: the interpreter"),
  device: z.enum(["auto", "cpu", "cuda"]).default("auto").describe("transformers engine: the device"),
  dtype: z
    .enum(["auto", "float32", "bfloat16", "float16"])
    .default("auto")
    .describe("transformers engine: weights dtype (auto = bfloat16 on a GPU, float32 on the CPU)"),
});
