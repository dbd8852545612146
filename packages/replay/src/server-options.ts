import { OpenAICompatibleClient, type OpenAIClientOptions } from "@cftkit/core";
import { z } from "zod";
import { positiveInt } from "./positive-int.js";

/**
 * How generative replay and translation reach an OpenAI-compatible server (the options of core's
 * OpenAICompatibleClient they use); `timeoutMs` is the per-request default, since translations run longer
 * than answers. `cftkit replay gr` and `cftkit data translate` build their server flags from it.
 */
export function openAIServerSchema(timeoutMs: number) {
  return z.object({
    server: z.string().min(1).describe("OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1"),
    model: z.string().min(1).describe("model name on the server"),
    apiKey: z.string().min(1).optional().describe("API key (default: $OPENAI_API_KEY)"),
    concurrency: positiveInt().default(8).describe("requests in flight"),
    timeoutMs: positiveInt().default(timeoutMs).describe("per-request timeout"),
    maxRetries: z.uint32().default(6).describe("retries per request (5xx, 429, resets, timeouts)"),
  });
}

export type OpenAIServerChoices = z.output<ReturnType<typeof openAIServerSchema>>;

/** The client those choices describe; the API key defaults to `$OPENAI_API_KEY`. */
export function openAIClientOf(
  choices: OpenAIServerChoices,
  extra: Partial<OpenAIClientOptions> = {},
): OpenAICompatibleClient {
  return new OpenAICompatibleClient({
    baseUrl: choices.server,
    model: choices.model,
    apiKey: choices.apiKey ?? process.env.OPENAI_API_KEY,
    concurrency: choices.concurrency,
    timeoutMs: choices.timeoutMs,
    maxRetries: choices.maxRetries,
    ...extra,
  });
}
