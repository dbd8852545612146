import { CftkitError, checkOptions, type OpenAICompatibleClient } from "@cftkit/core";
import {
  embeddedGenerator,
  type GenerativeModel,
  openAIChatGenerator,
  openAICompletionGenerator,
  type ReplayGenerator,
  type SamplingSettings,
} from "./generators.js";
import { replaySamplingSchema } from "./replay-sampling.js";

/** Where generative replay gets its responses from. */
export type ReplayGeneratorSource =
  /** An OpenAI-compatible server: chat completions, or completions with a local chat template. */
  | { server: OpenAICompatibleClient; completionsTemplate?: string }
  /** The embedded model (`@cftkit/lm`) loaded from a Hugging Face folder. */
  | { modelDir: string }
  /** A fresh random tiny embedded model (pipeline checks only). */
  | { initTiny: number };

/** The generator for a source; the embedded model is loaded only when one is asked for. */
export async function replayGeneratorFor(
  source: ReplayGeneratorSource,
  sampling: SamplingSettings,
  options: { batchSize?: number } = {},
): Promise<ReplayGenerator> {
  const { maxTokens, temperature, topP } = sampling;
  checkOptions(replaySamplingSchema, { maxTokens, temperature, topP }, "REPLAY_BAD_OPTION");
  if ("server" in source) {
    return source.completionsTemplate === undefined
      ? openAIChatGenerator(source.server, sampling)
      : openAICompletionGenerator(source.server, source.completionsTemplate, sampling);
  }
  const { model, name } = await loadEmbeddedModel(source);
  return embeddedGenerator(model, { ...sampling, modelName: name, batchSize: options.batchSize });
}

async function loadEmbeddedModel(
  source: { modelDir: string } | { initTiny: number },
): Promise<{ model: GenerativeModel; name: string }> {
  // Loaded lazily: only embedded runs need @cftkit/lm (an optional peer of this package).
  const lm = (await import("@cftkit/lm")) as unknown as {
    CausalLM?: {
      load(dir: string): Promise<GenerativeModel>;
      init(options: { preset: "tiny" | "small"; seed: number }): Promise<GenerativeModel>;
    };
  };
  if (!lm.CausalLM)
    throw new CftkitError("REPLAY_NO_EMBEDDED_LM", "@cftkit/lm does not provide CausalLM", { exitCode: 1 });
  if ("modelDir" in source) return { model: await lm.CausalLM.load(source.modelDir), name: source.modelDir };
  const seed = source.initTiny;
  return { model: await lm.CausalLM.init({ preset: "tiny", seed }), name: `init:tiny:seed=${seed}` };
}
