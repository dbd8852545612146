import {
  CftkitError,
  type OpenAIBackoffOptions,
  OpenAICompatibleClient,
  type OpenAIClientStats,
} from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import { type ChatRenderer, renderChatML } from "./chatml.js";
import type { EvalModel, GenerationRequest, LikelihoodRequest, LikelihoodResult } from "./eval-model.js";
import { ResponseCache } from "./response-cache.js";

export interface OpenAIEvalModelOptions {
  /** Base URL with the version segment, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** The `model` field sent to the server. */
  model: string;
  /** Name in results (default: `model`). */
  id?: string;
  apiKey?: string;
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  backoff?: OpenAIBackoffOptions;
  requestBudget?: number;
  /** Use this client instead of building one (the options above are then ignored). */
  client?: OpenAICompatibleClient;
  /** Response cache: a JSONL path, a ResponseCache, or none (in-memory only). */
  cache?: string | ResponseCache;
  /**
   * How chat prompts become text for `/v1/completions` log-likelihoods (the server's own template is only used
   * by `/v1/chat/completions`). Default: ChatML. Must match the served model's template.
   */
  chatTemplate?: ChatRenderer;
  /** Sampling temperature for generation (default 0, greedy as lm-eval). */
  temperature?: number;
}

interface CachedGeneration {
  text: string;
}

/** Cut a generation at the first stop sequence (servers that ignore `stop`). */
function applyStop(text: string, stop: string[] | undefined): string {
  let end = text.length;
  for (const s of stop ?? []) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

/**
 * A model behind an OpenAI-compatible server (vLLM, TGI, llama.cpp, Ollama) as an {@link EvalModel}.
 * Generation: `/v1/chat/completions` for chat prompts, `/v1/completions` for text. Log-likelihood: the
 * lm-eval `local-completions` way — `/v1/completions` on context + continuation with `echo: true`,
 * `logprobs: 1`, `max_tokens: 0`, summing the prompt-token log-probabilities whose `text_offset` is at or
 * after the end of the context (a token straddling the boundary counts with the continuation). Every answer is cached (sha256 of model + request) so a rerun asks nothing
 * twice; identical requests in flight share one HTTP call. Concurrency, retries and timeouts are the client's.
 */
export class OpenAIEvalModel implements EvalModel {
  readonly id: string;
  readonly client: OpenAICompatibleClient;
  readonly cache: ResponseCache;
  private readonly chatTemplate: ChatRenderer;
  private readonly temperature: number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Requests this object sent to the server (cache misses), by kind. */
  readonly sent = { generate: 0, logLikelihood: 0 };

  constructor(options: OpenAIEvalModelOptions) {
    this.client =
      options.client ??
      new OpenAICompatibleClient({
        baseUrl: options.baseUrl,
        model: options.model,
        apiKey: options.apiKey,
        concurrency: options.concurrency,
        timeoutMs: options.timeoutMs,
        maxRetries: options.maxRetries,
        backoff: options.backoff,
        requestBudget: options.requestBudget,
      });
    this.id = options.id ?? options.model;
    this.cache =
      options.cache instanceof ResponseCache ? options.cache : new ResponseCache(options.cache ?? null);
    this.chatTemplate = options.chatTemplate ?? ((m) => renderChatML(m, { addGenerationPrompt: true }));
    this.temperature = options.temperature ?? 0;
  }

  get clientStats(): OpenAIClientStats {
    return this.client.stats;
  }

  /** Wait until every request in flight has settled and its answer is in the cache (e.g. after an error). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
    await this.cache.flush();
  }

  private async cached<T>(request: unknown, ask: () => Promise<T>): Promise<T> {
    await this.cache.load();
    const key = ResponseCache.keyOf(this.client.model, request);
    const hit = this.cache.get<T>(key);
    if (hit !== undefined) return hit;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const promise = (async () => {
      const value = await ask();
      await this.cache.set(key, value);
      return value;
    })();
    this.inFlight.set(key, promise);
    try {
      return await promise;
    } finally {
      this.inFlight.delete(key);
    }
  }

  async generate(requests: GenerationRequest[]): Promise<string[]> {
    return Promise.all(requests.map((r) => this.generateOne(r)));
  }

  private async generateOne(r: GenerationRequest): Promise<string> {
    const request = {
      kind: "generate",
      prompt: r.prompt,
      maxTokens: r.maxNewTokens,
      stop: r.stop ?? [],
      temperature: this.temperature,
    };
    const result = await this.cached<CachedGeneration>(request, async () => {
      this.sent.generate++;
      const params = { maxTokens: r.maxNewTokens, temperature: this.temperature, stop: r.stop };
      const answer =
        typeof r.prompt === "string"
          ? await this.client.complete(r.prompt, params)
          : await this.client.chat(r.prompt, params);
      return { text: answer.text };
    });
    return applyStop(result.text, r.stop);
  }

  async logLikelihood(requests: LikelihoodRequest[]): Promise<LikelihoodResult[]> {
    return Promise.all(requests.map((r) => this.logLikelihoodOne(r)));
  }

  /** The text the server scores for a context: the chat template for messages, the string as is otherwise. */
  renderContext(context: ChatMessage[] | string): string {
    return typeof context === "string" ? context : this.chatTemplate(context);
  }

  private async logLikelihoodOne(r: LikelihoodRequest): Promise<LikelihoodResult> {
    // lm-eval's split (and the embedded model's): trailing whitespace of the context belongs to the
    // continuation, so a chat prompt's final "\n" is scored with the response as the embedded model scores it.
    const rendered = this.renderContext(r.context);
    const context = rendered.replace(/\s+$/u, "");
    const continuation = rendered.slice(context.length) + r.continuation;
    const prompt = context + continuation;
    return this.cached<LikelihoodResult>({ kind: "logLikelihood", context, continuation }, async () => {
      this.sent.logLikelihood++;
      const answer = await this.client.complete(prompt, {
        maxTokens: 0,
        echo: true,
        logprobs: 1,
        temperature: 0,
      });
      return scoreEchoedLogprobs(answer.logprobs, context, continuation, this.client.baseUrl);
    });
  }
}

/** Python string length (code points), which is what servers' `text_offset` counts. */
function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Sum the echoed prompt log-probabilities of the continuation: tokens whose text lies in the continuation
 * (`text_offset` ≥ the context's length), plus a token that straddles the boundary. `isGreedy` holds when every such token is its position's most likely token in `top_logprobs`.
 */
export function scoreEchoedLogprobs(
  logprobs:
    | {
        tokens: string[];
        token_logprobs: (number | null)[];
        top_logprobs?: (Record<string, number> | null)[] | null;
        text_offset: number[];
      }
    | undefined,
  context: string,
  continuation: string,
  where = "server",
): LikelihoodResult {
  const noLogprobs = (why: string) =>
    new CftkitError(
      "EVAL_NO_PROMPT_LOGPROBS",
      `${where} cannot score log-likelihoods: ${why}. It must return prompt-token logprobs for ` +
        "/v1/completions with echo=true, logprobs=1, max_tokens=0 (vLLM and llama.cpp server do; chat-only " +
        "endpoints and OpenAI's current models do not). Run generation-only tasks, or use the embedded model.",
      { exitCode: 1 },
    );
  if (!logprobs) throw noLogprobs("the response has no logprobs");
  const { tokens, token_logprobs: values, text_offset: offsets } = logprobs;
  if (tokens.length === 0 || values.length !== tokens.length || offsets.length !== tokens.length)
    throw noLogprobs("tokens, token_logprobs and text_offset do not line up (echo ignored?)");
  const start = codePointLength(context);
  const end = start + codePointLength(continuation);
  if (offsets[offsets.length - 1]! + codePointLength(tokens[tokens.length - 1]!) < end) {
    throw noLogprobs("the echoed tokens do not cover the prompt (echo ignored?)");
  }
  let logprob = 0;
  let tokenCount = 0;
  let isGreedy = true;
  for (let i = 0; i < tokens.length; i++) {
    const offset = offsets[i]!;
    // A token counts when its text overlaps the continuation: one that starts in the context and runs into
    // the continuation (the server merged the boundary, e.g. "\n Hello") is the continuation's first token.
    if (offset >= end || offset + codePointLength(tokens[i]!) <= start) continue;
    const value = values[i];
    if (value === null || value === undefined || !Number.isFinite(value))
      throw noLogprobs(`token ${i} (${JSON.stringify(tokens[i])}) has no log-probability`);
    logprob += value;
    tokenCount++;
    const top = logprobs.top_logprobs?.[i];
    if (top) {
      for (const v of Object.values(top)) if (v > value + 1e-9) isGreedy = false;
    }
  }
  if (tokenCount === 0 && continuation.length > 0)
    throw noLogprobs("no echoed token starts inside the continuation");
  return { logprob, tokenCount, isGreedy };
}
