import { type ProgressReporter, silentProgress } from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import { aggregatePerplexity, type PerplexityResult } from "@cftkit/metrics";
import type { EvalModel } from "./eval-model.js";

/** A held-out chat example: the prompt turns and the reference response, with its language. */
export interface HeldoutExample {
  messages: ChatMessage[];
  language: string;
}

export interface HeldoutLikelihoodResult extends PerplexityResult {
  /** Per language: exp(−mean NLL per response token) in (0, 1], higher is better (a task score). */
  scoreByLanguage: Record<string, number>;
}

/**
 * Held-out likelihood of reference responses: for each example, log p(response | prompt) under the model
 * (prompt rendered with the chat template, loss on response tokens as in training), aggregated per
 * language into mean NLL per token, perplexity and the score exp(−NLL) (the geometric-mean probability the
 * model gives each reference token — the ability measure a tiny model can afford).
 */
export async function heldoutLikelihood(
  model: EvalModel,
  examples: HeldoutExample[],
  options: { batchSize?: number; progress?: ProgressReporter } = {},
): Promise<HeldoutLikelihoodResult> {
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? 16;
  const records: { logprob: number; tokenCount: number; group: string }[] = [];
  progress.start(`held-out likelihood ${model.id}`, examples.length);
  for (let i = 0; i < examples.length; i += batchSize) {
    const batch = examples.slice(i, i + batchSize);
    const results = await model.logLikelihood(
      batch.map((e) => {
        const last = e.messages[e.messages.length - 1]!;
        return { context: e.messages.slice(0, -1), continuation: last.content };
      }),
    );
    results.forEach((r, k) => {
      records.push({ logprob: r.logprob, tokenCount: r.tokenCount, group: batch[k]!.language });
    });
    progress.update({ done: records.length });
  }
  progress.stop();
  const aggregate = aggregatePerplexity(records);
  const scoreByLanguage: Record<string, number> = {};
  for (const [language, g] of Object.entries(aggregate.byGroup ?? {}))
    scoreByLanguage[language] = Math.exp(-g.meanNll);
  return { ...aggregate, scoreByLanguage };
}
