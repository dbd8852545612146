import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SeededRandom } from "../seeded-random.js";

/**
 * A real OpenAI-compatible HTTP server for tests (node:http, 127.0.0.1, a random port) that answers
 * deterministically from the prompt and misbehaves on purpose: HTTP 500, 429 with Retry-After, a connection
 * reset in the middle of the body, a hang past the client's timeout, a slow answer, a truncated JSON body.
 * It counts requests per item (hash of the prompt) so tests can check that finished work is never re-requested.
 *
 * Endpoints: `POST /v1/chat/completions`, `POST /v1/completions` (with `logprobs` and `echo`), `GET /v1/models`.
 * Tokens are whitespace-delimited words (each token carries its leading whitespace, so they concatenate back to
 * the text exactly); log-probabilities are a deterministic function of the token and its position.
 */

export type FaultKind = "none" | "http500" | "http429" | "reset" | "hang" | "slow" | "badJson";

export type FaultEndpoint = "chat" | "completions" | "models";

export interface FaultRequestInfo {
  /** 0-based index of the request over the server's lifetime. */
  index: number;
  endpoint: FaultEndpoint;
  /** `faultItemKey` of the prompt (null for /models). */
  itemKey: string | null;
  /** How many requests this item had before this one. */
  itemRequests: number;
  /** The parsed JSON body (null for GET). */
  body: Record<string, unknown> | null;
}

export interface FaultServerOptions {
  /** The model id /v1/models lists and responses report. Default "fault-test-model". */
  model?: string;
  /** Probability that a chat/completions request is faulted (kind drawn uniformly from `faultKinds`). Default 0. */
  faultRate?: number;
  /** Kinds drawn when a request is faulted. Default ["http500", "http429", "reset", "hang"]. */
  faultKinds?: FaultKind[];
  /** Seed of the fault draws. Default 0. */
  seed?: number;
  /** Faults for the first requests, in order; after the list, `faultRate` applies. */
  sequence?: FaultKind[];
  /** Full control: the fault for each request (overrides `sequence` and `faultRate`). */
  faultFor?: (info: FaultRequestInfo) => FaultKind;
  /** Never fault more than this many requests of one item (then it is served). Default: no limit. */
  maxFaultsPerItem?: number;
  /** The Retry-After header of 429 answers: a value, or a function of the request. Default "1" (second). */
  retryAfter?: string | ((info: FaultRequestInfo) => string);
  /** A hang holds the request this long, then destroys the socket. Default 30000 ms. */
  hangMs?: number;
  /** A slow answer waits this long first. Default 200 ms. */
  slowMs?: number;
  /** Every answer waits this long first (simulated inference). Default 0. */
  latencyMs?: number;
  /** Replace the deterministic response text (the server still truncates to max_tokens words). */
  respond?: (prompt: string, endpoint: "chat" | "completions") => string;
}

export interface FaultItemStats {
  /** Requests that reached the server for this item. */
  requests: number;
  /** Requests answered completely with 200. */
  completed: number;
  /** Requests that arrived after the item had already been answered completely once. */
  requestsAfterCompleted: number;
}

export interface FaultServerStats {
  /** Every request (all endpoints). */
  requests: number;
  /** Outcomes of chat/completions requests by fault kind ("none" = served normally). */
  byKind: Record<FaultKind, number>;
  byEndpoint: Record<FaultEndpoint, number>;
  /** Per item (by `faultItemKey`). */
  items: Map<string, FaultItemStats>;
  /** chat/completions requests open right now, and the most ever open at once. */
  inFlight: number;
  maxInFlight: number;
}

export interface FaultServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:40123/v1`. */
  url: string;
  port: number;
  /** Live counters. */
  readonly stats: FaultServerStats;
  /** Stop listening and destroy every open connection (hanging ones included). */
  close(): Promise<void>;
}

/**
 * The key the fault server counts requests under: sha256 of the last user message's content (chat) or of
 * the prompt (completions). Tests compute the same key to look up an item.
 */
export function faultItemKey(input: string | { role: string; content: string }[]): string {
  let text: string;
  if (typeof input === "string") text = input;
  else {
    const users = input.filter((m) => m.role === "user");
    text = (users.length > 0 ? users[users.length - 1]! : (input[input.length - 1] ?? { content: "" }))
      .content;
  }
  return createHash("sha256").update(text).digest("hex");
}

const WORDS = (
  "the a of and to in is that it for on with as was at by this be from are or an have not which one " +
  "you all can their has more will there some when time people would about other many then them these " +
  "so most first water way could make like long than into called day part number sound over only little " +
  "work know place year live back give very after thing our just name good sentence man think say great " +
  "where help through much before line right too mean old any same tell boy follow came want show also " +
  "around form three small set put end does another well large must big even such because turn here why " +
  "ask went men read need land different home move try kind hand picture again change off play spell air " +
  "away animal house point page letter mother answer found study still learn should world high every near"
).split(" ");

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/** The default deterministic English answer to a prompt. */
function defaultResponse(prompt: string): string {
  const rng = new SeededRandom(hash32(prompt));
  const count = 12 + rng.int(28);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(WORDS[rng.int(WORDS.length)]!);
  const sentence = words.join(" ");
  return `Here is my answer. ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** Whitespace-led tokens that concatenate back to `text` exactly. */
function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

function tokenLogprob(token: string, position: number): number {
  return -(0.05 + (hash32(`${position}\u0000${token}`) % 4000) / 1000);
}

function topLogprobsFor(token: string, position: number, k: number): Record<string, number> {
  const lp = tokenLogprob(token, position);
  const top: Record<string, number> = { [token]: lp };
  // The token is the greedy choice at even hashes; otherwise one alternative beats it.
  const greedy = hash32(`greedy\u0000${position}\u0000${token}`) % 2 === 0;
  for (let i = 0; Object.keys(top).length < k && i < WORDS.length; i++) {
    const alt = ` ${WORDS[(hash32(`${position}:${i}`) + i) % WORDS.length]}`;
    if (alt in top) continue;
    const first = i === 0 && !greedy;
    top[alt] = first ? lp + 0.5 : lp - 0.5 - i * 0.25;
  }
  return top;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function promptOfChat(messages: unknown): string {
  if (!Array.isArray(messages)) return "";
  return messages
    .map((m) => (m && typeof m === "object" ? String((m as { content?: unknown }).content ?? "") : ""))
    .join("\n");
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const stats: FaultServerStats = {
    requests: 0,
    byKind: { none: 0, http500: 0, http429: 0, reset: 0, hang: 0, slow: 0, badJson: 0 },
    byEndpoint: { chat: 0, completions: 0, models: 0 },
    items: new Map(),
    inFlight: 0,
    maxInFlight: 0,
  };
  const timers = new Set<NodeJS.Timeout>();
  const ctx: ServerContext = {
    options,
    model: options.model ?? "fault-test-model",
    stats,
    closed: false,
    chooseFault: faultChooser(options),
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    },
  };
  const server = createServer((req, res) => {
    handleRequest(ctx, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(error), type: "server_error" } }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        ctx.closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** What every request of one server shares. */
interface ServerContext {
  options: FaultServerOptions;
  model: string;
  stats: FaultServerStats;
  /** Set by close(): answers still waiting are not sent. */
  closed: boolean;
  chooseFault(info: FaultRequestInfo): FaultKind;
  /** Run `fn` after `ms` unless the server closes first. */
  later(ms: number, fn: () => void): void;
}

/** The fault for each request: `faultFor`, else `sequence`, else a seeded draw; capped per item. */
function faultChooser(options: FaultServerOptions): (info: FaultRequestInfo) => FaultKind {
  const faultRate = options.faultRate ?? 0;
  const faultKinds = options.faultKinds ?? ["http500", "http429", "reset", "hang"];
  const rng = new SeededRandom(options.seed ?? 0);
  const faultsPerItem = new Map<string, number>();
  return (info) => {
    let kind: FaultKind;
    if (options.faultFor) kind = options.faultFor(info);
    else if (options.sequence && info.index < options.sequence.length) kind = options.sequence[info.index]!;
    else kind = rng.next() < faultRate ? faultKinds[rng.int(faultKinds.length)]! : "none";
    if (
      kind !== "none" &&
      kind !== "slow" &&
      info.itemKey !== null &&
      options.maxFaultsPerItem !== undefined
    ) {
      const used = faultsPerItem.get(info.itemKey) ?? 0;
      if (used >= options.maxFaultsPerItem) kind = "none";
      else faultsPerItem.set(info.itemKey, used + 1);
    }
    return kind;
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  return new Promise<void>((resolve) => res.end(body, () => resolve()));
}

/** The deterministic answer to a chat or completions request, cut at max_tokens words. */
function buildAnswer(ctx: ServerContext, endpoint: "chat" | "completions", body: Record<string, unknown>) {
  const prompt = endpoint === "chat" ? promptOfChat(body.messages) : String(body.prompt ?? "");
  const full = ctx.options.respond ? ctx.options.respond(prompt, endpoint) : defaultResponse(prompt);
  const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : Number.POSITIVE_INFINITY;
  let tokens = tokenize(full);
  let finish = "stop";
  if (tokens.length > maxTokens) {
    tokens = tokens.slice(0, Math.max(0, maxTokens));
    finish = "length";
  }
  if (endpoint === "chat" && tokens.length > 0) tokens[0] = tokens[0]!.trimStart();
  const promptTokens = tokenize(prompt).length;
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: tokens.length,
    total_tokens: promptTokens + tokens.length,
  };
  const id = `cmpl-${hash32(prompt).toString(16)}`;
  const created = Math.floor(Date.now() / 1000);
  const { model } = ctx;
  if (endpoint === "chat") {
    return {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        { index: 0, message: { role: "assistant", content: tokens.join("") }, finish_reason: finish },
      ],
      usage,
    };
  }
  const echo = body.echo === true;
  const k = typeof body.logprobs === "number" ? body.logprobs : null;
  const allTokens = echo ? [...tokenize(prompt), ...tokens] : tokens;
  const logprobs = k === null ? null : completionLogprobs(allTokens, echo ? 0 : prompt.length, echo, k);
  return {
    id,
    object: "text_completion",
    created,
    model,
    choices: [{ index: 0, text: allTokens.join(""), logprobs, finish_reason: finish }],
    usage,
  };
}

/** The completions `logprobs` object; with echo, the first prompt token has none (nothing precedes it). */
function completionLogprobs(tokens: string[], start: number, echo: boolean, k: number) {
  const offsets: number[] = [];
  let offset = start;
  for (const t of tokens) {
    offsets.push(offset);
    offset += t.length;
  }
  return {
    tokens,
    token_logprobs: tokens.map((t, i) => (echo && i === 0 ? null : tokenLogprob(t, i))),
    top_logprobs: tokens.map((t, i) => (echo && i === 0 ? null : topLogprobsFor(t, i, Math.max(1, k)))),
    text_offset: offsets,
  };
}

async function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { stats } = ctx;
  const index = stats.requests++;
  const url = (req.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
  if (req.method === "GET" && url === "/v1/models") {
    stats.byEndpoint.models++;
    await sendJson(res, 200, {
      object: "list",
      data: [{ id: ctx.model, object: "model", owned_by: "cftkit" }],
    });
    return;
  }
  const endpoint: FaultEndpoint | null =
    url === "/v1/chat/completions" ? "chat" : url === "/v1/completions" ? "completions" : null;
  if (req.method !== "POST" || endpoint === null) {
    await sendJson(res, 404, { error: { message: `no route ${req.method} ${url}`, type: "not_found" } });
    return;
  }
  stats.byEndpoint[endpoint]++;
  stats.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  res.once("close", () => {
    stats.inFlight--;
  });
  const body = await readRequestBody(req, res, endpoint);
  if (!body) return;
  const itemKey =
    endpoint === "chat"
      ? faultItemKey(body.messages as { role: string; content: string }[])
      : faultItemKey(body.prompt as string);
  let item = stats.items.get(itemKey);
  if (!item) {
    item = { requests: 0, completed: 0, requestsAfterCompleted: 0 };
    stats.items.set(itemKey, item);
  }
  const info: FaultRequestInfo = { index, endpoint, itemKey, itemRequests: item.requests, body };
  item.requests++;
  if (item.completed > 0) item.requestsAfterCompleted++;
  const kind = ctx.chooseFault(info);
  stats.byKind[kind]++;
  await respond(ctx, kind, { req, res, info, item, endpoint, body });
}

/** The JSON body of a chat/completions request, or null after a 400 answer. */
async function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: "chat" | "completions",
): Promise<Record<string, unknown> | null> {
  const raw = await readBody(req);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
    if (body === null || typeof body !== "object") throw new Error("not an object");
  } catch {
    await sendJson(res, 400, { error: { message: "invalid JSON body", type: "invalid_request_error" } });
    return null;
  }
  if (endpoint === "chat" && !Array.isArray(body.messages)) {
    await sendJson(res, 400, { error: { message: "messages is required", type: "invalid_request_error" } });
    return null;
  }
  if (endpoint === "completions" && typeof body.prompt !== "string") {
    await sendJson(res, 400, {
      error: { message: "prompt must be a string", type: "invalid_request_error" },
    });
    return null;
  }
  return body;
}

interface FaultedRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: FaultRequestInfo;
  item: FaultItemStats;
  endpoint: "chat" | "completions";
  body: Record<string, unknown>;
}

/** Answer one request, or misbehave as `kind` says. */
async function respond(ctx: ServerContext, kind: FaultKind, request: FaultedRequest): Promise<void> {
  const { req, res, info, item, endpoint, body } = request;
  const { options, later } = ctx;
  const latencyMs = options.latencyMs ?? 0;
  const answer = () => buildAnswer(ctx, endpoint, body);
  const serve = async () => {
    if (ctx.closed) return;
    await sendJson(res, 200, answer());
    item.completed++;
  };
  switch (kind) {
    case "http500":
      await sendJson(res, 500, { error: { message: "injected internal error", type: "server_error" } });
      return;
    case "http429": {
      const retryAfter =
        typeof options.retryAfter === "function" ? options.retryAfter(info) : (options.retryAfter ?? "1");
      await sendJson(
        res,
        429,
        { error: { message: "injected rate limit", type: "rate_limit" } },
        { "retry-after": retryAfter },
      );
      return;
    }
    case "reset": {
      const bytes = Buffer.from(JSON.stringify(answer()));
      res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => {
        later(5, () => req.socket.destroy());
      });
      return;
    }
    case "hang":
      later(options.hangMs ?? 30_000, () => req.socket.destroy());
      return;
    case "badJson": {
      const text = JSON.stringify(answer());
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(cut) });
      res.end(cut);
      return;
    }
    case "slow":
      later((options.slowMs ?? 200) + latencyMs, () => void serve());
      return;
    default:
      if (latencyMs > 0) later(latencyMs, () => void serve());
      else await serve();
  }
}
