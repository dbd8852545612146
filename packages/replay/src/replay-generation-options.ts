import { z } from "zod";
import { positiveInt } from "./positive-int.js";
import { LOCAL_CHAT_TEMPLATES } from "./chat-templates.js";
import type { QualityFilterOptions } from "./quality-filters.js";
import { replaySamplingSchema } from "./replay-sampling.js";

const whole = z.uint32();
const TEMPLATES = Object.keys(LOCAL_CHAT_TEMPLATES) as [string, ...string[]];

/**
 * The generator, sampling, pacing and quality-filter choices of a generative replay run, flat as a command
 * line gives them: `cftkit replay gr` builds its flags from it and `qualityFiltersOf` reads the filters.
 * Which generator (a server, `modelDir` or `initTiny`) is the caller's choice of exactly one.
 */
export const replayGenerationSchema = z.object({
  completions: z
    .boolean()
    .default(false)
    .describe("use /v1/completions with a local chat template instead of /v1/chat/completions"),
  template: z.enum(TEMPLATES).default("chatml").describe("local chat template for --completions"),
  modelDir: z
    .string()
    .min(1)
    .meta({ path: "model" }) // a model folder read (the CLI's path guard)
    .optional()
    .describe("generate with the embedded model (@cftkit/lm) from this HF folder"),
  initTiny: whole
    .optional()
    .describe("generate with a fresh random tiny embedded model (pipeline checks only)"),
  ...replaySamplingSchema.shape,
  backoffMs: whole.default(500).describe("first backoff"),
  backoffMaxMs: whole.default(30_000).describe("longest backoff"),
  requestBudget: positiveInt().optional().describe("stop after this many HTTP requests in total"),
  batchSize: positiveInt().default(4).describe("embedded model: prompts per generate call"),
  fsyncEvery: positiveInt().default(32).describe("fsync the output after this many records"),
  language: z.string().min(1).default("en").describe("expected response language, or none"),
  // The filters are on by default; each is described as the `--no-…` flag that turns it off.
  filterEmpty: z.boolean().default(true).describe("keep empty responses"),
  filterTruncated: z.boolean().default(true).describe("keep responses cut at --max-tokens"),
  filterRefusal: z.boolean().default(true).describe("keep refusals"),
  minChars: whole.default(0).describe("reject responses shorter than this"),
});
export type ReplayGenerationChoices = z.output<typeof replayGenerationSchema>;

/** The quality filters those choices describe (`language: "none"` turns the language check off). */
export function qualityFiltersOf(choices: ReplayGenerationChoices): QualityFilterOptions {
  return {
    empty: choices.filterEmpty,
    truncated: choices.filterTruncated,
    refusal: choices.filterRefusal,
    language: choices.language === "none" ? null : choices.language,
    minChars: choices.minChars,
  };
}
