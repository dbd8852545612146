import type { ChatMessage } from "@cftkit/core";

/** A request the server answers with an OpenAI-style error body and this HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = "invalid_request_error",
  ) {
    super(message);
  }
}

/** Sampling settings shared by both endpoints. */
export interface SamplingParams {
  /** null = the endpoint's default. */
  maxTokens: number | null;
  temperature: number;
  topP: number;
  seed: number;
  stop: string[];
}

export interface CompletionRequest extends SamplingParams {
  prompts: string[];
  echo: boolean;
  /** Top log-probabilities per token; null = no logprobs block. */
  logprobs: number | null;
}

export interface ChatRequest extends SamplingParams {
  messages: ChatMessage[];
}

/** Largest `logprobs` accepted (vLLM's default limit). */
export const MAX_TOP_LOGPROBS = 20;

const ROLES = new Set(["system", "user", "assistant"]);

function number(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number) {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max)
    throw new HttpError(400, `"${key}" must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function integerOrNull(body: Record<string, unknown>, key: string, min: number, max: number): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw new HttpError(400, `"${key}" must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

function sampling(body: Record<string, unknown>): SamplingParams {
  if (body.stream === true) throw new HttpError(400, '"stream": true is not supported by cftkit lm serve');
  if (body.n !== undefined && body.n !== null && body.n !== 1)
    throw new HttpError(400, '"n" must be 1 (one choice per prompt)');
  const stopRaw = body.stop;
  let stop: string[] = [];
  if (typeof stopRaw === "string") stop = [stopRaw];
  else if (Array.isArray(stopRaw) && stopRaw.every((s) => typeof s === "string")) stop = stopRaw;
  else if (stopRaw !== undefined && stopRaw !== null)
    throw new HttpError(400, '"stop" must be a string or a list of strings');
  return {
    maxTokens: integerOrNull(body, "max_tokens", 0, 1_000_000),
    temperature: number(body, "temperature", 0, 0, 10),
    topP: number(body, "top_p", 1, 0, 1),
    seed: integerOrNull(body, "seed", -(2 ** 53), 2 ** 53) ?? 0,
    stop: stop.filter((s) => s.length > 0),
  };
}

/** `/v1/completions`: `prompt` is a string or a list of strings (one choice each). */
export function parseCompletionRequest(body: Record<string, unknown>): CompletionRequest {
  const p = body.prompt;
  const prompts = typeof p === "string" ? [p] : Array.isArray(p) ? p : null;
  if (!prompts || prompts.length === 0 || !prompts.every((x) => typeof x === "string"))
    throw new HttpError(
      400,
      '"prompt" must be a string or a non-empty list of strings (token ids are not accepted)',
    );
  if (body.echo !== undefined && typeof body.echo !== "boolean")
    throw new HttpError(400, '"echo" must be a boolean');
  return {
    ...sampling(body),
    prompts: prompts as string[],
    echo: body.echo === true,
    logprobs: integerOrNull(body, "logprobs", 0, MAX_TOP_LOGPROBS),
  };
}

/** Message content as text: a string, or a list of `{type: "text", text}` parts joined. */
function contentText(content: unknown, index: number): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts = content.map((part) => {
      const p = (part ?? {}) as Record<string, unknown>;
      if (p.type !== "text" || typeof p.text !== "string")
        throw new HttpError(400, `messages[${index}]: only text content parts are supported`);
      return p.text;
    });
    return parts.join("");
  }
  throw new HttpError(400, `messages[${index}].content must be a string`);
}

/** `/v1/chat/completions`: messages rendered with the model's own chat template. */
export function parseChatRequest(body: Record<string, unknown>): ChatRequest {
  const list = body.messages;
  if (!Array.isArray(list) || list.length === 0)
    throw new HttpError(400, '"messages" must be a non-empty list');
  if (body.logprobs === true) throw new HttpError(400, '"logprobs" is not supported on chat completions');
  const messages = list.map((m, i): ChatMessage => {
    const o = (m ?? {}) as Record<string, unknown>;
    if (typeof o.role !== "string" || !ROLES.has(o.role))
      throw new HttpError(400, `messages[${i}].role must be system, user or assistant`);
    return { role: o.role as ChatMessage["role"], content: contentText(o.content, i) };
  });
  return { ...sampling(body), messages };
}
