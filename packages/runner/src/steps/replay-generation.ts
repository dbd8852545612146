import type { GenerativeReplaySummary, QualityFilterOptions, ReplayInputs } from "@cftkit/replay";
import type { RunContext } from "../run-context.js";

/**
 * Generate a GR buffer from a Phase-1 model: through the experiment's `generation` servers when it has
 * them (launched for this model, or already running; several share the requests), else the embedded model.
 * Greedy; the answer length and quality filters are the experiment's GR settings unless `overrides` says
 * otherwise (the Instruct DES set keeps every answer). Returns the generation summary.
 */
export async function generateReplayBuffer(
  ctx: RunContext,
  phase1Dir: string,
  modelName: string,
  inputs: ReplayInputs & { outDir: string },
  overrides: { maxNewTokens?: number; filters?: QualityFilterOptions } = {},
): Promise<GenerativeReplaySummary> {
  const replayApi = await import("@cftkit/replay");
  const { analysis, seed, generation } = ctx.experiment;
  const sampling = { maxTokens: overrides.maxNewTokens ?? analysis.gr_max_new_tokens, temperature: 0, seed };
  const filters = overrides.filters ?? analysis.gr_filters;
  const run = async (generator: import("@cftkit/replay").ReplayGenerator) =>
    (await replayApi.runGenerativeReplayFiles({ ...inputs, generator, progress: ctx.progress, filters }))
      .summary;
  if (generation)
    return replayApi.withGenerationServers(generation, phase1Dir, (session) =>
      run(replayApi.sharedGenerator(session.clients.map((c) => replayApi.openAIChatGenerator(c, sampling)))),
    );
  const { CausalLM } = await import("@cftkit/lm");
  const lm = await CausalLM.load(phase1Dir);
  try {
    return await run(replayApi.embeddedGenerator(lm, { modelName, ...sampling }));
  } finally {
    lm.dispose();
  }
}
