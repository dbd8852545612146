import { z } from "zod";

// Its own entry (`@cftkit/runner/des-file-options`, nothing heavy behind it) so `cftkit --help` can read it.

/** How `desOfFiles` embeds the data sets; `cftkit similarity des` builds its flags from it. */
export const desFileOptionsSchema = z.object({
  model: z
    .string()
    .min(1)
    .optional()
    .describe(
      "sentence encoder id or local folder (default Xenova/LaBSE); with --encoder lm, a causal-LM folder",
    ),
  encoder: z
    .enum(["sentence", "lm"])
    .default("sentence")
    .describe(
      "sentence (transformers.js feature extraction) | lm (mean-pooled last hidden state of a causal LM)",
    ),
  offline: z
    .boolean()
    .default(false)
    .describe("never use the network; the model must be a local folder or already cached"),
  samples: z
    .int()
    .min(1)
    .max(2 ** 32 - 1)
    .default(500)
    .describe("random records per set (paper: 500)"),
  seed: z.uint32().default(0).describe("sampling seed"),
  text: z
    .enum(["instruction", "instruction+input", "instruction+input+output"])
    .default("instruction")
    .describe("which part of a record is embedded"),
  cache: z.string().min(1).optional().describe("embedding cache (JSONL) so re-runs are instant"),
});
export type DesFileOptions = z.input<typeof desFileOptionsSchema>;
