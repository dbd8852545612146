import { afterEach, describe, expect, it } from "vitest";
import { isCftkitError } from "./cftkit-error.js";
import { OpenAICompatibleClient, parseRetryAfter } from "./openai-client.js";
import {
  type FaultServer,
  type FaultServerOptions,
  faultItemKey,
  startFaultServer,
} from "./testing/fault-server.js";

const servers: FaultServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function server(options: FaultServerOptions = {}): Promise<FaultServer> {
  const s = await startFaultServer(options);
  servers.push(s);
  return s;
}

function client(url: string, extra: Partial<ConstructorParameters<typeof OpenAICompatibleClient>[0]> = {}) {
  return new OpenAICompatibleClient({
    baseUrl: url,
    model: "m",
    timeoutMs: 2_000,
    maxRetries: 6,
    backoff: { baseMs: 1, maxMs: 5, jitter: 0.5 },
    ...extra,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:07 GMT", now)).toBe(7000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe("OpenAICompatibleClient against the fault server", () => {
  it("chats and completes deterministically, with logprobs and echo", async () => {
    const s = await server();
    const c = client(s.url);
    const messages = [{ role: "user" as const, content: "Name three colours." }];
    const a = await c.chat(messages, { maxTokens: 256 });
    const b = await c.chat(messages, { maxTokens: 256 });
    expect(a.text).toBe(b.text);
    expect(a.text.length).toBeGreaterThan(10);
    expect(a.finishReason).toBe("stop");
    expect(a.attempts).toBe(1);
    expect(a.usage?.completionTokens).toBe(a.text.split(/\s+/).length);
    const cut = await c.chat(messages, { maxTokens: 3 });
    expect(cut.finishReason).toBe("length");
    expect(cut.text.split(/\s+/).length).toBe(3);

    const prompt = "Question: what is the capital of France?\nAnswer: Paris";
    const scored = await c.complete(prompt, { maxTokens: 0, echo: true, logprobs: 1 });
    expect(scored.text).toBe(prompt);
    const lp = scored.logprobs!;
    expect(lp.tokens.join("")).toBe(prompt);
    expect(lp.token_logprobs[0]).toBeNull();
    for (let i = 0; i < lp.tokens.length; i++) {
      expect(prompt.slice(lp.text_offset[i]!, lp.text_offset[i]! + lp.tokens[i]!.length)).toBe(lp.tokens[i]);
      if (i > 0) expect(lp.token_logprobs[i]!).toBeLessThan(0);
    }
    const gen = await c.complete("Once upon a time", { maxTokens: 5, logprobs: 2 });
    expect(gen.logprobs!.tokens.join("")).toBe(gen.text);
    expect(gen.logprobs!.text_offset[0]).toBe("Once upon a time".length);
    expect(await c.models()).toEqual(["fault-test-model"]);
  });

  it("retries 500, 429, reset mid-body, truncated JSON and a hang, then succeeds", async () => {
    const s = await server({
      sequence: ["http500", "http429", "reset", "badJson", "hang", "none"],
      retryAfter: "0",
      hangMs: 10_000,
    });
    const c = client(s.url, { timeoutMs: 300 });
    const messages = [{ role: "user" as const, content: "Say hello." }];
    const result = await c.chat(messages);
    expect(result.attempts).toBe(6);
    const stats = c.stats;
    expect(stats.requests).toBe(6);
    expect(stats.retries).toBe(5);
    expect(stats.failures).toMatchObject({ http5xx: 1, http429: 1, connection: 1, badBody: 1, timeout: 1 });
    const item = s.stats.items.get(faultItemKey(messages))!;
    expect(item).toEqual({ requests: 6, completed: 1, requestsAfterCompleted: 0 });
    const clean = await client(s.url).chat(messages);
    expect(clean.text).toBe(result.text);
  });

  it("waits at least Retry-After (seconds or HTTP-date) before retrying a 429", async () => {
    const s = await server({ sequence: ["http429", "none"], retryAfter: "1" });
    const c = client(s.url);
    const t0 = Date.now();
    await c.chat([{ role: "user", content: "x" }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    const s2 = await server({
      sequence: ["http429", "none"],
      retryAfter: () => new Date(Date.now() + 2000).toUTCString(),
    });
    const t1 = Date.now();
    await client(s2.url).chat([{ role: "user", content: "y" }]);
    // HTTP-dates have whole-second resolution: the wait is between 1 and 2 s.
    expect(Date.now() - t1).toBeGreaterThanOrEqual(950);
  });

  it("does not retry 4xx and gives up with typed errors", async () => {
    const s = await server({ faultRate: 1, faultKinds: ["http500"] });
    const bad = client(`${s.url}/nope`);
    const e1 = await rejection(bad.chat([{ role: "user", content: "x" }]));
    expect(isCftkitError(e1) && e1.code).toBe("OPENAI_HTTP_4XX");
    expect(bad.stats.requests).toBe(1);

    const c = client(s.url, { maxRetries: 2 });
    const e2 = await rejection(c.chat([{ role: "user", content: "retry me" }]));
    expect(isCftkitError(e2) && e2.code).toBe("OPENAI_RETRIES_EXHAUSTED");
    expect(s.stats.items.get(faultItemKey("retry me"))!.requests).toBe(3);

    const budgeted = client(s.url, { maxRetries: 100, requestBudget: 4 });
    const e3 = await rejection(budgeted.chat([{ role: "user", content: "budget" }]));
    expect(isCftkitError(e3) && e3.code).toBe("OPENAI_BUDGET_EXHAUSTED");
    expect(s.stats.items.get(faultItemKey("budget"))!.requests).toBe(4);
    expect(budgeted.stats.budgetLeft).toBe(0);
  });

  it("keeps at most `concurrency` requests in flight and can be cancelled", async () => {
    const s = await server({ latencyMs: 30 });
    const c = client(s.url, { concurrency: 3 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => c.chat([{ role: "user", content: `item ${i}` }])),
    );
    expect(results).toHaveLength(12);
    expect(s.stats.maxInFlight).toBe(3);

    const hang = await server({ faultRate: 1, faultKinds: ["hang"], hangMs: 10_000 });
    const controller = new AbortController();
    const pending = client(hang.url, { timeoutMs: 5_000 }).chat([{ role: "user", content: "x" }], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const e = await rejection(pending);
    expect(isCftkitError(e) && e.code).toBe("OPENAI_ABORTED");
  });
});
