import { z } from "zod";

// Its own entry (`@cftkit/lm/model-settings`, no tfjs behind it) so `cftkit --help` can show these.

/** A fresh random model folder: `initModelFolder` checks it, `cftkit lm init` builds its flags from it. */
export const modelInitSchema = z.object({
  preset: z.enum(["tiny", "small"]).default("tiny").describe("model size"),
  seed: z.uint32().default(0).describe("initialisation seed"),
  dtype: z.enum(["F32", "BF16"]).default("F32").describe("weight dtype"),
});

/** How text is generated: `generateWithModelFolder` checks it, `cftkit lm generate` builds its flags from it. */
export const generationSettingsSchema = z.object({
  maxNewTokens: z
    .int()
    .min(1)
    .max(2 ** 32 - 1)
    .default(128)
    .describe("tokens to generate at most"),
  temperature: z.number().min(0).default(0).describe("0 = greedy"),
  topP: z.number().gt(0).max(1).default(1).describe("nucleus sampling mass"),
  seed: z.uint32().default(0).describe("sampling seed"),
  chatTemplate: z.boolean().default(false).describe("wrap each prompt as a user turn with the chat template"),
});
