import { OpenAICompatibleClient, type OpenAIClientOptions } from "@cftkit/core";
import { openAIServerSchema } from "@cftkit/replay";
import type { Values } from "./define-command.js";
import { optionsFrom } from "./schema-options.js";

/** The OpenAI-server options of `replay gr` and `data translate`, from replay's schema. */
export const serverParams = (timeoutMs: number) =>
  optionsFrom(openAIServerSchema(timeoutMs), {
    server: "url",
    model: "name",
    apiKey: "key",
    timeoutMs: "ms",
  });

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
