import type { ChatMessage, OpenAICompatibleClient } from "@cftkit/core";
import { type LocalChatTemplate, localChatTemplate } from "./chat-templates.js";
import type { GenerationItem, GenerationProvenance } from "./replay-types.js";

export interface SamplingSettings {
  /** Most new tokens per response. Default 512. */
  maxTokens?: number;
  /** 0 = greedy. Default 0. */
  temperature?: number;
  /** Default 1. */
  topP?: number;
  /** Base seed; each item gets `itemSeed(seed, id)` so results do not depend on order or concurrency. Default 0. */
  seed?: number;
  stop?: string[];
}

export interface ResolvedSampling {
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

/** What produced the responses (everything in the provenance except per-item fields). */
export interface GeneratorDescription {
  generator: GenerationProvenance["generator"];
  model: string;
  baseUrl?: string;
  promptTemplate: string;
  sampling: ResolvedSampling;
}

export interface GenerationOutcome {
  text: string;
  finishReason: string | null;
  attempts: number;
  /** The seed this item was generated with. */
  seed: number;
  usage?: { promptTokens: number; completionTokens: number };
}

export type GenerationResult = { ok: true; value: GenerationOutcome } | { ok: false; error: unknown };

/** A source of responses: an OpenAI-compatible server or the embedded model. */
export interface ReplayGenerator {
  readonly description: GeneratorDescription;
  /** Items per `generate` call (1 for HTTP servers; a batch for the embedded model). */
  readonly batchSize: number;
  /** `generate` calls in flight at once. */
  readonly concurrency: number;
  /** One result per item, in order. Must not throw for a single item's failure. */
  generate(items: GenerationItem[], signal: AbortSignal): Promise<GenerationResult[]>;
  /** Counters to report (requests, retries, failures by kind). */
  stats(): Record<string, unknown>;
}

export function resolveSampling(s: SamplingSettings = {}): ResolvedSampling {
  return {
    maxTokens: s.maxTokens ?? 512,
    temperature: s.temperature ?? 0,
    topP: s.topP ?? 1,
    seed: s.seed ?? 0,
  };
}

/** The per-item seed: a stable mix of the base seed and the item id. */
export function itemSeed(seed: number, id: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % 2147483647;
}

/** Generate through `/v1/chat/completions`: the server applies the model's chat template. */
export function openAIChatGenerator(
  client: OpenAICompatibleClient,
  sampling: SamplingSettings = {},
): ReplayGenerator {
  const resolved = resolveSampling(sampling);
  return {
    description: {
      generator: "openai-chat",
      model: client.model,
      baseUrl: client.baseUrl,
      promptTemplate: "server",
      sampling: resolved,
    },
    batchSize: 1,
    concurrency: client.concurrency,
    async generate(items, signal) {
      return Promise.all(
        items.map(async (item): Promise<GenerationResult> => {
          const seed = itemSeed(resolved.seed, item.id);
          try {
            const r = await client.chat(item.messages, {
              maxTokens: resolved.maxTokens,
              temperature: resolved.temperature,
              topP: resolved.topP,
              seed,
              stop: sampling.stop,
              signal,
            });
            return succeeded(r, seed, r.text);
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
    },
    stats: () => ({ ...client.stats }),
  };
}

/** A finished server call as a generation result (usage reduced to its token counts). */
function succeeded(
  r: {
    finishReason: string | null;
    attempts: number;
    usage?: { promptTokens: number; completionTokens: number } | null;
  },
  seed: number,
  text: string,
): GenerationResult {
  return {
    ok: true,
    value: {
      text,
      finishReason: r.finishReason,
      attempts: r.attempts,
      seed,
      usage: r.usage
        ? { promptTokens: r.usage.promptTokens, completionTokens: r.usage.completionTokens }
        : undefined,
    },
  };
}

/**
 * Generate through `/v1/completions` with a chat template applied here (`chatml`, `llama3`, `mistral`,
 * `alpaca`, or a custom one): for servers that have no chat template or to pin the prompt exactly.
 */
export function openAICompletionGenerator(
  client: OpenAICompatibleClient,
  template: string | LocalChatTemplate,
  sampling: SamplingSettings = {},
): ReplayGenerator {
  const resolved = resolveSampling(sampling);
  const tpl = typeof template === "string" ? localChatTemplate(template) : template;
  const stop = [...tpl.stop, ...(sampling.stop ?? [])];
  return {
    description: {
      generator: "openai-completions",
      model: client.model,
      baseUrl: client.baseUrl,
      promptTemplate: tpl.name,
      sampling: resolved,
    },
    batchSize: 1,
    concurrency: client.concurrency,
    async generate(items, signal) {
      return Promise.all(
        items.map(async (item): Promise<GenerationResult> => {
          const seed = itemSeed(resolved.seed, item.id);
          try {
            const r = await client.complete(tpl.render(item.messages), {
              maxTokens: resolved.maxTokens,
              temperature: resolved.temperature,
              topP: resolved.topP,
              seed,
              stop,
              signal,
            });
            return succeeded(r, seed, r.text.trim());
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
    },
    stats: () => ({ ...client.stats }),
  };
}

/** The part of `@cftkit/lm`'s `CausalLM` the embedded generator uses. */
export interface GenerativeModel {
  generate(
    prompts: ChatMessage[][],
    options: { maxNewTokens?: number; temperature?: number; topP?: number; seed?: number; stop?: string[] },
  ): Promise<{ text: string; finishReason: "stop" | "length" | string }[]>;
}

/**
 * Generate with the embedded model (`@cftkit/lm` CausalLM; its tokenizer's chat template builds the prompt).
 * Items are generated `batchSize` at a time, one batch at a time; a batch that throws is retried item by
 * item so one bad item does not fail its neighbours.
 */
export function embeddedGenerator(
  model: GenerativeModel,
  options: SamplingSettings & { modelName: string; batchSize?: number },
): ReplayGenerator {
  const resolved = resolveSampling(options);
  let calls = 0;
  let failures = 0;
  const run = async (items: GenerationItem[], seed: number) =>
    model.generate(
      items.map((i) => i.messages),
      {
        maxNewTokens: resolved.maxTokens,
        temperature: resolved.temperature,
        topP: resolved.topP,
        seed,
        stop: options.stop,
      },
    );
  return {
    description: {
      generator: "embedded",
      model: options.modelName,
      promptTemplate: "tokenizer",
      sampling: resolved,
    },
    batchSize: Math.max(1, options.batchSize ?? 4),
    concurrency: 1,
    async generate(items, signal) {
      const seed = itemSeed(resolved.seed, items[0]?.id ?? "");
      try {
        if (signal.aborted) throw signal.reason ?? new Error("aborted");
        calls++;
        const out = await run(items, seed);
        return out.map((r) => ({
          ok: true,
          value: { text: r.text, finishReason: r.finishReason, attempts: 1, seed },
        }));
      } catch (batchError) {
        if (items.length === 1 || signal.aborted) {
          failures += items.length;
          return items.map(() => ({ ok: false, error: batchError }));
        }
        const results: GenerationResult[] = [];
        for (const item of items) {
          const s = itemSeed(resolved.seed, item.id);
          try {
            calls++;
            const [r] = await run([item], s);
            results.push({
              ok: true,
              value: { text: r!.text, finishReason: r!.finishReason, attempts: 2, seed: s },
            });
          } catch (error) {
            failures++;
            results.push({ ok: false, error });
          }
        }
        return results;
      }
    },
    stats: () => ({ calls, failures }),
  };
}
