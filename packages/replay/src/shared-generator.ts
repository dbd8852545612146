import { CftkitError, stableStringify } from "@cftkit/core";
import type { GenerationResult, ReplayGenerator } from "./generators.js";
import type { GenerationItem } from "./replay-types.js";

/**
 * Several servers of the same model (one per GPU node) as one generator: each call goes to the server with
 * the most free capacity (in-flight calls relative to its own concurrency), so the fleet's concurrency is the
 * sum of theirs. Which items are done is decided by the replay journal, never here, so an item is written
 * exactly once whichever server answers it (a failed item is queued again and may land on another server).
 */
export function sharedGenerator(generators: readonly ReplayGenerator[]): ReplayGenerator {
  if (generators.length === 0) throw new CftkitError("REPLAY_NO_SERVERS", "no generation servers given");
  const first = generators[0]!;
  const settings = (g: ReplayGenerator) =>
    stableStringify({ ...g.description, baseUrl: undefined, batchSize: g.batchSize });
  for (const g of generators.slice(1))
    if (settings(g) !== settings(first))
      throw new CftkitError(
        "REPLAY_SERVERS_DIFFER",
        `generation servers must share model, template and sampling: ${first.description.baseUrl} and ${g.description.baseUrl} differ`,
      );
  const inFlight = generators.map(() => 0);
  const routed = generators.map(() => 0);
  const pick = (): number => {
    let best = 0;
    for (let i = 1; i < generators.length; i++)
      if (inFlight[i]! / generators[i]!.concurrency < inFlight[best]! / generators[best]!.concurrency)
        best = i;
    return best;
  };
  return {
    description: {
      ...first.description,
      baseUrl: generators.map((g) => g.description.baseUrl ?? "?").join(","),
    },
    batchSize: first.batchSize,
    concurrency: generators.reduce((s, g) => s + g.concurrency, 0),
    async generate(items: GenerationItem[], signal: AbortSignal): Promise<GenerationResult[]> {
      const i = pick();
      inFlight[i]!++;
      routed[i]! += items.length;
      try {
        return await generators[i]!.generate(items, signal);
      } finally {
        inFlight[i]!--;
      }
    },
    stats: () => {
      const servers = generators.map(
        (g, i): Record<string, unknown> => ({
          baseUrl: g.description.baseUrl,
          items: routed[i],
          ...g.stats(),
        }),
      );
      const requests = servers.reduce((s, x) => s + (typeof x.requests === "number" ? x.requests : 0), 0);
      return { requests, servers };
    },
  };
}
