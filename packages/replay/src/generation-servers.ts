import { CftkitError, launchOpenAIServer, OpenAICompatibleClient } from "@cftkit/core";

/**
 * Where generation requests go (the experiment's `generation:` section): servers already running, or a
 * command the runner starts per model (`["vllm", "serve", "{model}", "--port", "{port}"]`).
 */
export interface GenerationServersConfig {
  /** One running OpenAI-compatible server (base URL with `/v1`). */
  server?: string;
  /** Several running servers of the same model (one per GPU node); they share the requests. */
  servers?: string[];
  /** A server command started per model without a shell, `{model}` and `{port}` filled in. */
  launch?: string[];
  /** Requests in flight per server. Default 4. */
  concurrency?: number;
  /** How long a launched server may take to answer `/v1/models` (s). Default 600. */
  ready_timeout_s?: number;
  /** Request timeout (s). Default 300. */
  timeout_s?: number;
}

export interface GenerationSession {
  /** One client per server, each with its own concurrency. */
  clients: OpenAICompatibleClient[];
  /** The model id the servers list (what requests name). */
  modelId: string;
}

async function listedModel(baseUrl: string): Promise<string> {
  try {
    const res = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { data?: { id?: unknown }[] };
    const id = body.data?.[0]?.id;
    if (typeof id === "string") return id;
  } catch (cause) {
    throw new CftkitError(
      "GENERATION_SERVER_UNREACHABLE",
      `${baseUrl}/models did not answer: ${(cause as Error).message}`,
      {
        exitCode: 1,
        cause,
      },
    );
  }
  throw new CftkitError("GENERATION_SERVER_UNREACHABLE", `${baseUrl}/models lists no model`, { exitCode: 1 });
}

/** Which of `server`, `servers`, `launch` the config uses (exactly one). */
export function generationMode(config: GenerationServersConfig): "server" | "servers" | "launch" | null {
  const given = (["server", "servers", "launch"] as const).filter((k) => config[k] !== undefined);
  if (given.length > 1)
    throw new CftkitError(
      "GENERATION_CONFIG_INVALID",
      `generation: give one of server, servers, launch (got ${given.join(", ")})`,
    );
  return given[0] ?? null;
}

/**
 * Run `use` against the generation servers for `modelDir`: launched for it (and always stopped afterwards,
 * also when `use` fails or the run is interrupted), or the running ones the config names.
 */
export async function withGenerationServers<T>(
  config: GenerationServersConfig,
  modelDir: string,
  use: (session: GenerationSession) => Promise<T>,
  options: { signal?: AbortSignal; onOutput?: (text: string) => void } = {},
): Promise<T> {
  const mode = generationMode(config);
  if (mode === null)
    throw new CftkitError("GENERATION_CONFIG_INVALID", "generation: no server, servers or launch given");
  const client = (baseUrl: string, model: string) =>
    new OpenAICompatibleClient({
      baseUrl,
      model,
      concurrency: config.concurrency ?? 4,
      timeoutMs: (config.timeout_s ?? 300) * 1000,
    });
  if (mode !== "launch") {
    const urls = mode === "server" ? [config.server!] : config.servers!;
    if (urls.length === 0) throw new CftkitError("GENERATION_CONFIG_INVALID", "generation.servers is empty");
    const modelId = await listedModel(urls[0]!);
    return use({ clients: urls.map((u) => client(u, modelId)), modelId });
  }
  const server = await launchOpenAIServer({
    argv: config.launch!,
    model: modelDir,
    readyTimeoutMs: (config.ready_timeout_s ?? 600) * 1000,
    signal: options.signal,
    onOutput: options.onOutput,
  });
  try {
    return await use({ clients: [client(server.baseUrl, server.modelId)], modelId: server.modelId });
  } finally {
    await server.stop();
  }
}
