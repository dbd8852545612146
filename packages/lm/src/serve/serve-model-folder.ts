import { basename, resolve } from "node:path";
import { checkOptions } from "@cftkit/core";
import type { z } from "zod";
import { CausalLM } from "../causal-lm.js";
import { serveSettingsSchema } from "../model-settings.js";
import { type OpenAIServerStats, startOpenAIServer } from "./openai-server.js";

export interface ServeModelFolderOptions extends z.input<typeof serveSettingsSchema> {
  /** Told the address (`http://host:port/v1`) once the server listens: with port 0, the port chosen. */
  onListening?: (baseUrl: string) => void;
  /** Where the "serving …" and "stopping …" lines go. */
  log?: (line: string) => void;
  /** Stops the server when aborted, as SIGINT and SIGTERM do. */
  signal?: AbortSignal;
}

/**
 * Serve a model folder over OpenAI-compatible HTTP (`startOpenAIServer`) until SIGINT, SIGTERM or `signal`,
 * then close the server, let the model go, and return what it served.
 */
export async function serveModelFolder(
  modelDir: string,
  options: ServeModelFolderOptions = {},
): Promise<OpenAIServerStats> {
  const { port, host, servedModelName } = checkOptions(serveSettingsSchema, options, "LM_BAD_OPTION");
  const model = await CausalLM.load(modelDir);
  try {
    const modelName = servedModelName ?? modelDir;
    const server = await startOpenAIServer(model, { modelName, port, host });
    options.onListening?.(server.baseUrl);
    options.log?.(`serving ${basename(resolve(modelDir))} as "${modelName}"; Ctrl-C stops`);
    const why = await stopRequested(options.signal);
    options.log?.(`${why}: stopping (${server.stats.served} served, ${server.stats.cancelled} cancelled)`);
    await server.close();
    return { ...server.stats };
  } finally {
    model.dispose();
  }
}

/** The first of SIGINT, SIGTERM or an abort of `signal` (`"aborted"`); the handlers are removed after it. */
function stopRequested(signal: AbortSignal | undefined): Promise<NodeJS.Signals | "aborted"> {
  return new Promise((done) => {
    const stop = (why: NodeJS.Signals | "aborted") => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signal?.removeEventListener("abort", onAbort);
      done(why);
    };
    const onAbort = () => stop("aborted");
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (signal?.aborted) stop("aborted");
    else signal?.addEventListener("abort", onAbort);
  });
}
