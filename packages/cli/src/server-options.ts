import { OpenAICompatibleClient, type OpenAIClientOptions } from "@cftkit/core";
import { count, param, positive, text, type Values } from "./define-command.js";

/**
 * The options of commands that talk to an OpenAI-compatible server (`replay gr`, `data translate`), declared
 * once; `timeoutMs` is the per-request default (translations are longer than answers).
 */
export function serverParams(timeoutMs: number) {
  return {
    server: param("--server <url>", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1", text()),
    model: param("--model <name>", "model name on the server", text()),
    apiKey: param("--api-key <key>", "API key (default: $OPENAI_API_KEY)", text().optional()),
    concurrency: param("--concurrency <n>", "requests in flight", positive().default(8)),
    timeoutMs: param("--timeout-ms <ms>", "per-request timeout", positive().default(timeoutMs)),
    maxRetries: param(
      "--max-retries <n>",
      "retries per request (5xx, 429, resets, timeouts)",
      count().default(6),
    ),
  };
}

type ServerFlags = Omit<Values<ReturnType<typeof serverParams>>, "server" | "model">;

/** The client those options describe. */
export function serverClient(
  flags: ServerFlags & { server: string; model: string },
  extra: Partial<OpenAIClientOptions> = {},
): OpenAICompatibleClient {
  return new OpenAICompatibleClient({
    baseUrl: flags.server,
    model: flags.model,
    apiKey: flags.apiKey ?? process.env.OPENAI_API_KEY,
    concurrency: flags.concurrency,
    timeoutMs: flags.timeoutMs,
    maxRetries: flags.maxRetries,
    ...extra,
  });
}
