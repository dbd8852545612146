import { CftkitError } from "@cftkit/core";
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
  stop: z.array(z.string()).optional().describe("stop strings"),
  chatTemplate: z.boolean().default(false).describe("wrap each prompt as a user turn with the chat template"),
});

/** Where a served model listens and the id clients send: `serveModelFolder` takes them, `cftkit lm serve` builds its flags from them. */
export const serveSettingsSchema = z.object({
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8000)
    .describe("TCP port (0 = a free one, printed on stdout)"),
  host: z.string().min(1).default("127.0.0.1").describe("address to listen on"),
  servedModelName: z
    .string()
    .min(1)
    .optional()
    .describe("the model id clients send (default: <model-dir> as given)"),
});

/** `1, 2,3` → [1, 2, 3]; anything but comma-separated non-negative integers is CLI_BAD_TOKEN_IDS. */
export function parseTokenIds(raw: string): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  const ids = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => p === "") || ids.some((n) => !Number.isInteger(n) || n < 0))
    throw new CftkitError(
      "CLI_BAD_TOKEN_IDS",
      `--token-ids expects comma-separated non-negative integers, got "${raw}"`,
    );
  return ids;
}

/**
 * Token ids typed as one comma-separated list (`cftkit lm logits --token-ids`, then
 * `tokenLogitsOfModelFolder`). A bad list throws parseTokenIds' error itself rather than a zod issue, so its code and
 * message stay the ones users and scripts know.
 */
export const tokenIdsSchema = z.string().transform(parseTokenIds);
