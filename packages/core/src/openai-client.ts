import { CftkitError } from "./cftkit-error.js";
import type { ChatMessage } from "./chat-message.js";

/**
 * A small client for OpenAI-compatible inference servers (vLLM, TGI, llama.cpp, Ollama, OpenAI itself):
 * `/v1/chat/completions` and `/v1/completions`. Built for long unattended runs: a concurrency limit shared
 * by every call, a per-request timeout, retries with exponential backoff and jitter on 5xx, 429 (honouring
 * Retry-After), connection resets, timeouts and truncated bodies, a budget on the total number of HTTP
 * requests, and counters of what happened.
 */

export interface OpenAIBackoffOptions {
  /** First retry waits about this long (ms). Default 500. */
  baseMs?: number;
  /** No wait exceeds this (ms), Retry-After included unless `maxRetryAfterMs` says more. Default 30000. */
  maxMs?: number;
  /** Fraction of the wait that is random, 0..1 (0.5 → wait in [0.5, 1] × the exponential step). Default 0.5. */
  jitter?: number;
}

export interface OpenAIClientOptions {
  /** Base URL including the version segment, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** The `model` field sent with every request. */
  model: string;
  apiKey?: string;
  /** Requests in flight at once, over all calls of this client. Default 4. */
  concurrency?: number;
  /** One HTTP attempt (headers and body) may take this long (ms). Default 60000. */
  timeoutMs?: number;
  /** Retries after the first attempt before giving up. Default 5. */
  maxRetries?: number;
  backoff?: OpenAIBackoffOptions;
  /** A Retry-After longer than this (ms) is clamped to it. Default 120000. */
  maxRetryAfterMs?: number;
  /** Total HTTP requests (attempts, retries included) this client may send; then OPENAI_BUDGET_EXHAUSTED. */
  requestBudget?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Random source for the jitter (0..1). Default Math.random. */
  random?: () => number;
}

export interface ChatParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Cancels the call (waiting, in flight or backing off) with OPENAI_ABORTED. */
  signal?: AbortSignal;
}

export interface CompleteParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Number of top log-probabilities per token (OpenAI legacy completions `logprobs`). */
  logprobs?: number;
  /** Return the prompt's tokens (and their log-probabilities) before the completion. */
  echo?: boolean;
  signal?: AbortSignal;
}

export type FinishReason = "stop" | "length" | string;

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  text: string;
  finishReason: FinishReason | null;
  usage: Usage | null;
  /** HTTP attempts this call took (1 = no retry). */
  attempts: number;
  /** The `model` the server reported, when it did. */
  model: string | null;
}

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
  text_offset: number[];
}

export interface CompleteResult extends ChatResult {
  logprobs?: CompletionLogprobs;
}

/** Why one attempt failed. */
export type OpenAIFailureKind =
  | "http5xx"
  | "http429"
  | "http4xx"
  | "timeout"
  | "connection"
  | "badBody"
  | "aborted";

export interface OpenAIClientStats {
  /** HTTP attempts sent (retries included). */
  requests: number;
  /** Calls that returned a result. */
  succeeded: number;
  /** Attempts that were followed by another attempt. */
  retries: number;
  /** Calls that gave up (threw). */
  gaveUp: number;
  /** Failed attempts by kind. */
  failures: Record<OpenAIFailureKind, number>;
  /** Requests left in the budget (null = no budget). */
  budgetLeft: number | null;
}

/** A failed attempt, classified. Internal: callers see CftkitError. */
class AttemptError extends Error {
  constructor(
    readonly kind: OpenAIFailureKind,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

/** A counting semaphore; waiters are served first come, first served. */
class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal));
      };
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(grant);
    });
    // The releasing call handed its slot over: `active` stays the same.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

function abortError(signal: AbortSignal | undefined): CftkitError {
  return new CftkitError("OPENAI_ABORTED", "request cancelled", { exitCode: 1, cause: signal?.reason });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Parse a Retry-After header: delta-seconds or an HTTP-date. Returns ms, or undefined. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function errorChainText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string") parts.push(code);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}

function emptyFailures(): Record<OpenAIFailureKind, number> {
  return { http5xx: 0, http429: 0, http4xx: 0, timeout: 0, connection: 0, badBody: 0, aborted: 0 };
}

export class OpenAICompatibleClient {
  readonly baseUrl: string;
  readonly model: string;
  /** Requests in flight at once over all calls. */
  readonly concurrency: number;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly maxRetryAfterMs: number;
  private readonly headers: Record<string, string>;
  private readonly random: () => number;
  private readonly semaphore: Semaphore;
  private budgetLeft: number | null;
  private readonly counters = {
    requests: 0,
    succeeded: 0,
    retries: 0,
    gaveUp: 0,
    failures: emptyFailures(),
  };

  constructor(options: OpenAIClientOptions) {
    if (!options.baseUrl) throw new CftkitError("OPENAI_BAD_OPTIONS", "baseUrl is required");
    if (!options.model) throw new CftkitError("OPENAI_BAD_OPTIONS", "model is required");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.model = options.model;
    this.apiKey = options.apiKey;
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new CftkitError(
        "OPENAI_BAD_OPTIONS",
        `concurrency must be a positive integer, got ${concurrency}`,
      );
    }
    this.concurrency = concurrency;
    this.semaphore = new Semaphore(concurrency);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxRetries = options.maxRetries ?? 5;
    this.baseMs = options.backoff?.baseMs ?? 500;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
    this.jitter = Math.min(1, Math.max(0, options.backoff?.jitter ?? 0.5));
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.headers = options.headers ?? {};
    this.random = options.random ?? Math.random;
    this.budgetLeft = options.requestBudget ?? null;
  }

  /** A snapshot of the counters. */
  get stats(): OpenAIClientStats {
    return {
      requests: this.counters.requests,
      succeeded: this.counters.succeeded,
      retries: this.counters.retries,
      gaveUp: this.counters.gaveUp,
      failures: { ...this.counters.failures },
      budgetLeft: this.budgetLeft,
    };
  }

  /** POST /chat/completions with one conversation. */
  async chat(messages: ChatMessage[], params: ChatParams = {}): Promise<ChatResult> {
    const body: Record<string, unknown> = {
      model: this.model,
      messages,
      stream: false,
    };
    if (params.maxTokens !== undefined) body.max_tokens = params.maxTokens;
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.topP !== undefined) body.top_p = params.topP;
    if (params.seed !== undefined) body.seed = params.seed;
    if (params.stop && params.stop.length > 0) body.stop = params.stop;
    const { json, attempts } = await this.post("/chat/completions", body, params.signal);
    const choice = firstChoice(json, "/chat/completions");
    const message = choice.message as { content?: unknown } | undefined;
    const content = message?.content;
    if (content !== null && content !== undefined && typeof content !== "string") {
      throw badResponse("/chat/completions", "choices[0].message.content is not a string");
    }
    return {
      text: typeof content === "string" ? content : "",
      finishReason: typeof choice.finish_reason === "string" ? choice.finish_reason : null,
      usage: parseUsage(json),
      attempts,
      model: typeof json.model === "string" ? json.model : null,
    };
  }

  /** POST /completions with one prompt (legacy completions: logprobs and echo for scoring). */
  async complete(prompt: string, params: CompleteParams = {}): Promise<CompleteResult> {
    const body: Record<string, unknown> = { model: this.model, prompt, stream: false };
    if (params.maxTokens !== undefined) body.max_tokens = params.maxTokens;
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.topP !== undefined) body.top_p = params.topP;
    if (params.seed !== undefined) body.seed = params.seed;
    if (params.stop && params.stop.length > 0) body.stop = params.stop;
    if (params.logprobs !== undefined) body.logprobs = params.logprobs;
    if (params.echo !== undefined) body.echo = params.echo;
    const { json, attempts } = await this.post("/completions", body, params.signal);
    const choice = firstChoice(json, "/completions");
    if (choice.text !== undefined && choice.text !== null && typeof choice.text !== "string") {
      throw badResponse("/completions", "choices[0].text is not a string");
    }
    const result: CompleteResult = {
      text: typeof choice.text === "string" ? choice.text : "",
      finishReason: typeof choice.finish_reason === "string" ? choice.finish_reason : null,
      usage: parseUsage(json),
      attempts,
      model: typeof json.model === "string" ? json.model : null,
    };
    const lp = choice.logprobs as Partial<CompletionLogprobs> | null | undefined;
    if (lp && Array.isArray(lp.tokens) && Array.isArray(lp.token_logprobs)) {
      result.logprobs = {
        tokens: lp.tokens,
        token_logprobs: lp.token_logprobs,
        top_logprobs: lp.top_logprobs ?? null,
        text_offset: Array.isArray(lp.text_offset) ? lp.text_offset : [],
      };
    }
    return result;
  }

  /** GET /models: the ids the server serves (one attempt through the same machinery). */
  async models(signal?: AbortSignal): Promise<string[]> {
    const { json } = await this.request("GET", "/models", undefined, signal);
    const data = (json as { data?: unknown }).data;
    if (!Array.isArray(data)) return [];
    return data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === "string");
  }

  private post(
    path: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ json: Record<string, unknown>; attempts: number }> {
    return this.request("POST", path, body, signal);
  }

  private async request(
    method: "GET" | "POST",
    path: string,
    body: Record<string, unknown> | undefined,
    signal?: AbortSignal,
  ): Promise<{ json: Record<string, unknown>; attempts: number }> {
    let attempt = 0;
    let lastError: AttemptError | undefined;
    for (;;) {
      if (signal?.aborted) throw this.giveUp(abortError(signal));
      if (this.budgetLeft !== null && this.budgetLeft <= 0) {
        throw this.giveUp(
          new CftkitError(
            "OPENAI_BUDGET_EXHAUSTED",
            `request budget exhausted after ${this.counters.requests} requests (${this.baseUrl}${path})`,
            { exitCode: 1, details: { requests: this.counters.requests, lastError: lastError?.message } },
          ),
        );
      }
      let release: () => void;
      try {
        release = await this.semaphore.acquire(signal);
      } catch (error) {
        throw this.giveUp(error);
      }
      attempt++;
      try {
        if (this.budgetLeft !== null) {
          if (this.budgetLeft <= 0) {
            throw new CftkitError(
              "OPENAI_BUDGET_EXHAUSTED",
              `request budget exhausted after ${this.counters.requests} requests (${this.baseUrl}${path})`,
              { exitCode: 1, details: { requests: this.counters.requests, lastError: lastError?.message } },
            );
          }
          this.budgetLeft--;
        }
        this.counters.requests++;
        const json = await this.attempt(method, path, body, signal);
        this.counters.succeeded++;
        return { json, attempts: attempt };
      } catch (error) {
        if (!(error instanceof AttemptError)) throw this.giveUp(error);
        this.counters.failures[error.kind]++;
        if (error.kind === "aborted") throw this.giveUp(abortError(signal));
        if (!error.retryable) {
          throw this.giveUp(
            new CftkitError(
              error.kind === "http4xx" ? "OPENAI_HTTP_4XX" : "OPENAI_BAD_RESPONSE",
              `${method} ${this.baseUrl}${path}: ${error.message}`,
              {
                exitCode: 1,
                details: { status: error.status, body: error.body?.slice(0, 2000), attempts: attempt },
              },
            ),
          );
        }
        lastError = error;
        if (attempt > this.maxRetries) {
          throw this.giveUp(
            new CftkitError(
              "OPENAI_RETRIES_EXHAUSTED",
              `${method} ${this.baseUrl}${path} failed after ${attempt} attempts; last: ${error.message}`,
              { exitCode: 1, details: { attempts: attempt, lastKind: error.kind, status: error.status } },
            ),
          );
        }
      } finally {
        release();
      }
      // Back off outside the semaphore so other calls keep the server busy.
      this.counters.retries++;
      const exp = Math.min(this.maxMs, this.baseMs * 2 ** (attempt - 1));
      let wait = exp * (1 - this.jitter + this.jitter * this.random());
      if (lastError.retryAfterMs !== undefined)
        wait = Math.max(wait, Math.min(lastError.retryAfterMs, this.maxRetryAfterMs));
      try {
        await sleep(wait, signal);
      } catch (error) {
        throw this.giveUp(error);
      }
    }
  }

  private giveUp(error: unknown): unknown {
    this.counters.gaveUp++;
    return error;
  }

  /** One HTTP attempt with its own timeout; throws AttemptError for every failure. */
  private async attempt(
    method: "GET" | "POST",
    path: string,
    body: Record<string, unknown> | undefined,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("timeout"));
    }, this.timeoutMs);
    const onOuterAbort = () => controller.abort(signal?.reason);
    if (signal) {
      if (signal.aborted) onOuterAbort();
      else signal.addEventListener("abort", onOuterAbort, { once: true });
    }
    const classifyThrown = (error: unknown, stage: string): AttemptError => {
      if (signal?.aborted && !timedOut) return new AttemptError("aborted", "cancelled", false);
      if (timedOut)
        return new AttemptError("timeout", `no complete response within ${this.timeoutMs} ms`, true);
      return new AttemptError("connection", `${stage}: ${errorChainText(error)}`, true);
    };
    try {
      const headers: Record<string, string> = { accept: "application/json", ...this.headers };
      if (body !== undefined) headers["content-type"] = "application/json";
      if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: controller.signal,
        });
      } catch (error) {
        throw classifyThrown(error, "request failed");
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw classifyThrown(error, "response body interrupted");
      }
      if (response.status === 429) {
        throw new AttemptError(
          "http429",
          `HTTP 429 ${text.slice(0, 200)}`,
          true,
          429,
          parseRetryAfter(response.headers.get("retry-after")),
          text,
        );
      }
      if (response.status >= 500) {
        throw new AttemptError(
          "http5xx",
          `HTTP ${response.status} ${text.slice(0, 200)}`,
          true,
          response.status,
          parseRetryAfter(response.headers.get("retry-after")),
          text,
        );
      }
      if (response.status === 408) {
        throw new AttemptError("timeout", `HTTP 408 ${text.slice(0, 200)}`, true, 408, undefined, text);
      }
      if (response.status >= 400) {
        throw new AttemptError(
          "http4xx",
          `HTTP ${response.status} ${text.slice(0, 500)}`,
          false,
          response.status,
          undefined,
          text,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        // A body cut short (proxy reset, server crash mid-write) parses as invalid JSON: retry it.
        throw new AttemptError(
          "badBody",
          `invalid JSON body (${text.length} bytes): ${(error as Error).message}`,
          true,
          response.status,
          undefined,
          text,
        );
      }
      if (json === null || typeof json !== "object" || Array.isArray(json)) {
        throw new AttemptError(
          "badBody",
          "response body is not a JSON object",
          false,
          response.status,
          undefined,
          text,
        );
      }
      return json as Record<string, unknown>;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onOuterAbort);
    }
  }
}

function badResponse(path: string, why: string): CftkitError {
  return new CftkitError("OPENAI_BAD_RESPONSE", `${path}: ${why}`, { exitCode: 1 });
}

function firstChoice(json: Record<string, unknown>, path: string): Record<string, unknown> {
  const choices = json.choices;
  if (
    !Array.isArray(choices) ||
    choices.length === 0 ||
    typeof choices[0] !== "object" ||
    choices[0] === null
  ) {
    throw badResponse(path, "response has no choices[0]");
  }
  return choices[0] as Record<string, unknown>;
}

function parseUsage(json: Record<string, unknown>): Usage | null {
  const usage = json.usage as Record<string, unknown> | undefined | null;
  if (!usage || typeof usage !== "object") return null;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    promptTokens: num(usage.prompt_tokens),
    completionTokens: num(usage.completion_tokens),
    totalTokens: num(usage.total_tokens),
  };
}
