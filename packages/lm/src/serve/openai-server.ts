import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { CftkitError, isCftkitError } from "@cftkit/core";
import type { CausalLM } from "../causal-lm.js";
import type { Tokenizer } from "../tokenizer.js";
import { checkContext, completionChoice } from "./completion-choice.js";
import { HttpError, parseChatRequest, parseCompletionRequest } from "./openai-requests.js";
import { SerialQueue } from "./serial-queue.js";

export interface OpenAIServerOptions {
  /** The `id` of `/v1/models`; requests naming another model get 404, as vLLM answers. */
  modelName: string;
  /** 0 (default) = a free port chosen by the system. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Largest request body accepted (bytes). Default 8 MiB. */
  maxBodyBytes?: number;
}

export interface OpenAIServerStats {
  /** Requests answered with 200. */
  served: number;
  /** Requests whose client left before the answer (dropped while queued or stopped mid-generation). */
  cancelled: number;
  /** Requests answered with an error status. */
  failed: number;
}

export interface RunningOpenAIServer {
  port: number;
  /** `http://host:port/v1`. */
  baseUrl: string;
  readonly stats: OpenAIServerStats;
  /** Stop accepting, cancel what is queued or running, close every connection. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "the request body is not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new HttpError(400, "the request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * An OpenAI-compatible HTTP server over an embedded {@link CausalLM}: `GET /v1/models`,
 * `POST /v1/completions` (echo, logprobs, `max_tokens: 0` for likelihood scoring) and
 * `POST /v1/chat/completions` (the model's chat template). Requests are computed one at a time in arrival
 * order; a client that disconnects is dropped from the queue, or its generation stops at the next token.
 */
export async function startOpenAIServer(
  model: CausalLM,
  options: OpenAIServerOptions,
): Promise<RunningOpenAIServer> {
  const tok = model.tokenizer;
  if (!tok) throw new CftkitError("LM_NO_TOKENIZER", `${model.dir ?? "model"}: serving needs a tokenizer`);
  const queue = new SerialQueue();
  const inFlight = new Set<AbortController>();
  const stats: OpenAIServerStats = { served: 0, cancelled: 0, failed: 0 };
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  const created = Math.floor(Date.now() / 1000);

  const modelsList = () => ({
    object: "list",
    data: [
      {
        id: options.modelName,
        object: "model",
        created,
        owned_by: "cftkit",
        max_model_len: model.config.maxPositionEmbeddings,
      },
    ],
  });

  const answer = async (req: IncomingMessage, signal: AbortSignal): Promise<unknown> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/v1/models" || path === "/models") {
      if (req.method !== "GET") throw new HttpError(405, `${req.method} is not allowed on ${path}`);
      return modelsList();
    }
    if (path !== "/v1/completions" && path !== "/v1/chat/completions")
      throw new HttpError(404, `no route ${path}`, "not_found_error");
    if (req.method !== "POST") throw new HttpError(405, `${req.method} is not allowed on ${path}`);
    const body = await readBody(req, maxBody);
    if (body.model !== undefined && body.model !== options.modelName)
      throw new HttpError(404, `The model \`${String(body.model)}\` does not exist.`, "NotFoundError");
    return path === "/v1/completions"
      ? queue.run(() => completions(model, tok, body, options.modelName, signal), signal)
      : queue.run(() => chat(model, tok, body, options.modelName, signal), signal);
  };

  const server: Server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
      inFlight.delete(controller);
    });
    answer(req, controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return void stats.cancelled++;
        stats.served++;
        sendJson(res, 200, value);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return void stats.cancelled++;
        stats.failed++;
        const http = error instanceof HttpError ? error : null;
        const message = http || isCftkitError(error) ? (error as Error).message : String(error);
        sendJson(res, http?.status ?? 500, {
          error: { message, type: http?.type ?? "internal_error", code: http?.status ?? 500 },
        });
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    baseUrl: `http://${options.host ?? "127.0.0.1"}:${address.port}/v1`,
    stats,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const c of inFlight) c.abort();
      server.closeAllConnections();
      await queue.idle();
      await closed;
    },
  };
}

async function completions(
  model: CausalLM,
  tok: Tokenizer,
  body: Record<string, unknown>,
  modelName: string,
  signal: AbortSignal,
) {
  const request = parseCompletionRequest(body);
  const choices = [];
  let promptTokens = 0;
  let completionTokens = 0;
  for (const [index, prompt] of request.prompts.entries()) {
    const c = await completionChoice(model, tok, prompt, request, signal);
    promptTokens += c.promptTokens;
    completionTokens += c.completionTokens;
    choices.push({ index, text: c.text, logprobs: c.logprobs, finish_reason: c.finishReason });
  }
  return {
    id: `cmpl-${randomUUID()}`,
    object: "text_completion",
    created: Math.floor(Date.now() / 1000),
    model: modelName,
    choices,
    usage: usage(promptTokens, completionTokens),
  };
}

async function chat(
  model: CausalLM,
  tok: Tokenizer,
  body: Record<string, unknown>,
  modelName: string,
  signal: AbortSignal,
) {
  const request = parseChatRequest(body);
  const rendered = tok.applyChatTemplate(request.messages, { addGenerationPrompt: true });
  const promptTokens = tok.encode(rendered, { addSpecialTokens: false }).length;
  const maxTokens = request.maxTokens ?? model.config.maxPositionEmbeddings - promptTokens;
  checkContext(model, promptTokens, maxTokens);
  const [gen] = await model.generate([request.messages], {
    maxNewTokens: maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    seed: request.seed,
    stop: request.stop,
    batchSize: 1,
    signal,
  });
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: modelName,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: gen!.text },
        finish_reason: gen!.finishReason,
      },
    ],
    usage: usage(promptTokens, gen!.tokenIds.length),
  };
}
