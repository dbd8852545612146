import { checkOptions, type ProgressReporter } from "@cftkit/core";
import type { z } from "zod";
import type { GenerativeReplaySummary } from "./generative-replay.js";
import type { ReplayGenerator } from "./generators.js";
import { qualityFiltersOf, replayGenerationSchema } from "./replay-generation-options.js";
import {
  type GenerativeReplayManifest,
  type ReplayInputs,
  runGenerativeReplayFiles,
} from "./replay-files.js";
import { replayGeneratorFor } from "./replay-generator-source.js";
import { openAIClientOf, openAIServerSchema } from "./server-options.js";

const serverSchema = openAIServerSchema(120_000);
const { server, model } = serverSchema.shape;

/**
 * Where generative replay gets its responses from and how it samples, paces and filters them, flat as
 * `cftkit replay gr` gives them: exactly one generator (a server with its model, `modelDir` or `initTiny`).
 */
export const replayGeneratorChoicesSchema = serverSchema
  .extend({
    server: server.optional().describe(server.description!),
    model: model.optional().describe(model.description!),
    ...replayGenerationSchema.shape,
  })
  .superRefine((choices, ctx) => {
    const { server, modelDir, initTiny, model } = choices;
    if ([server, modelDir, initTiny].filter((x) => x !== undefined).length !== 1)
      ctx.addIssue({
        code: "custom",
        message: "give exactly one generator: --server URL --model NAME, --model-dir DIR or --init-tiny SEED",
      });
    else if (server !== undefined && model === undefined)
      ctx.addIssue({
        code: "invalid_type",
        expected: "string",
        path: ["model"],
        message: "--model is required with --server",
      });
  });

export type ReplayGeneratorChoices = z.input<typeof replayGeneratorChoicesSchema>;

/**
 * The generator the choices name (an embedded model is loaded here), sampling with `seed`: a server's
 * client backs off from `backoffMs` to `backoffMaxMs` and stops after `requestBudget` requests.
 */
export async function replayGeneratorOf(
  choices: ReplayGeneratorChoices,
  seed?: number,
): Promise<ReplayGenerator> {
  const c = checkOptions(replayGeneratorChoicesSchema, choices, "REPLAY_BAD_OPTION");
  const sampling = { maxTokens: c.maxTokens, temperature: c.temperature, topP: c.topP, seed };
  const options = { batchSize: c.batchSize };
  if (c.modelDir) return replayGeneratorFor({ modelDir: c.modelDir }, sampling, options);
  if (c.initTiny !== undefined) return replayGeneratorFor({ initTiny: c.initTiny }, sampling, options);
  const backoff = { baseMs: c.backoffMs, maxMs: c.backoffMaxMs, jitter: 0.5 };
  const client = openAIClientOf(
    { ...c, server: c.server!, model: c.model! },
    { backoff, requestBudget: c.requestBudget },
  );
  const source = { server: client, ...(c.completions ? { completionsTemplate: c.template } : {}) };
  return replayGeneratorFor(source, sampling, options);
}

/**
 * `cftkit replay gr` as one call: the generator of `choices`, then generative replay over the files of
 * `inputs` with the choices' quality filters (resumable: rerun with the same arguments).
 */
export async function runGenerativeReplayOf(
  inputs: ReplayInputs & { outDir: string },
  choices: ReplayGeneratorChoices,
  hooks: { signal?: AbortSignal; progress?: ProgressReporter } = {},
): Promise<{ summary: GenerativeReplaySummary; manifest: GenerativeReplayManifest }> {
  const generator = await replayGeneratorOf(choices, inputs.seed);
  const generation = checkOptions(replayGenerationSchema, choices, "REPLAY_BAD_OPTION");
  return runGenerativeReplayFiles({
    ...inputs,
    generator,
    filters: qualityFiltersOf(generation),
    signal: hooks.signal,
    progress: hooks.progress,
    fsyncEvery: generation.fsyncEvery,
  });
}
