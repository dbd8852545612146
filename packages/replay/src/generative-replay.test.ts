import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAICompatibleClient } from "@cftkit/core";
import { type FaultServer, faultItemKey, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIChatGenerator, openAICompletionGenerator } from "./generators.js";
import { rejectsPathFor, runGenerativeReplay } from "./generative-replay.js";
import type { GenerationItem } from "./replay-types.js";

const TOPICS = [
  "rivers",
  "volcanoes",
  "bread",
  "bicycles",
  "libraries",
  "bees",
  "trains",
  "winter",
  "gardens",
  "music",
];

export function syntheticItems(n: number): GenerationItem[] {
  return Array.from({ length: n }, (_, i) => {
    const instruction = `Write two sentences about ${TOPICS[i % TOPICS.length]} for reader number ${i}.`;
    return {
      id: `en-${i}`,
      messages: [{ role: "user" as const, content: instruction }],
      record: {
        id: `en-${i}`,
        language: "en",
        instruction,
        output: "original response",
        source: "synthetic",
        parallel_id: `p${i}`,
      },
    };
  });
}

function readJsonl(path: string): Record<string, unknown>[] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-gr-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runGenerativeReplay against a faulty server", () => {
  let server: FaultServer;
  afterAll(async () => server?.close());

  it("finishes 1,000 items with exactly 1,000 unique records when a fifth of requests fail", async () => {
    server = await startFaultServer({
      faultRate: 0.2,
      faultKinds: ["http500", "http429", "reset", "hang"],
      seed: 7,
      hangMs: 5_000,
      // Retry-After as delta-seconds and as an HTTP-date.
      retryAfter: (info) => (info.index % 2 === 0 ? "1" : new Date(Date.now() + 1000).toUTCString()),
    });
    const client = new OpenAICompatibleClient({
      baseUrl: server.url,
      model: "phase1",
      concurrency: 16,
      timeoutMs: 1000,
      maxRetries: 8,
      backoff: { baseMs: 5, maxMs: 40, jitter: 0.5 },
    });
    const items = syntheticItems(1000);
    const out = join(dir, "gr.jsonl");
    const summary = await runGenerativeReplay({
      items,
      generator: openAIChatGenerator(client, { maxTokens: 256, seed: 3 }),
      out,
      filters: { language: null },
    });
    expect(summary.failed.total).toBe(0);
    expect(summary.pending).toBe(0);
    expect(summary.accepted + summary.rejected.total).toBe(1000);

    const accepted = readJsonl(out);
    const rejected = readJsonl(rejectsPathFor(out));
    const ids = [...accepted, ...rejected].map((r) => r.id as string);
    expect(ids.length).toBe(1000);
    expect(new Set(ids).size).toBe(1000);
    expect(new Set(ids)).toEqual(new Set(items.map((i) => i.id)));

    // Every injected fault kind happened, the client retried them, and no item was requested after it was answered.
    const kinds = server.stats.byKind;
    for (const k of ["http500", "http429", "reset", "hang"] as const) expect(kinds[k]).toBeGreaterThan(10);
    const faults = kinds.http500 + kinds.http429 + kinds.reset + kinds.hang;
    expect(faults / (faults + kinds.none)).toBeGreaterThan(0.15);
    const stats = client.stats;
    // Every injected fault cost the client one failed attempt: of its own kind, or a timeout when the (loaded)
    // machine answered too late. Timeouts beyond the injected hangs are such late answers.
    const f = stats.failures;
    expect(f.http429).toBeLessThanOrEqual(kinds.http429);
    expect(f.http5xx).toBeLessThanOrEqual(kinds.http500);
    expect(f.connection).toBeLessThanOrEqual(kinds.reset);
    expect(f.connection).toBeGreaterThan(0);
    expect(f.timeout).toBeGreaterThanOrEqual(kinds.hang);
    const clientFailures = f.http429 + f.http5xx + f.connection + f.timeout + f.badBody;
    expect(clientFailures).toBeGreaterThanOrEqual(faults);
    expect(stats.retries).toBe(clientFailures);
    const lateAnswers = clientFailures - faults;
    let repeated = 0;
    for (const item of items) {
      const s = server.stats.items.get(faultItemKey(item.messages))!;
      expect(s.completed).toBeGreaterThanOrEqual(1);
      if (s.requestsAfterCompleted > 0) repeated++;
    }
    // An item is only asked again after a complete answer when the client gave up on that answer (timeout).
    expect(repeated).toBeLessThanOrEqual(lateAnswers);

    // Records are the server's deterministic answers, with provenance.
    const clean = new OpenAICompatibleClient({
      baseUrl: server.url,
      model: "phase1",
      maxRetries: 20,
      timeoutMs: 250,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    const first = accepted[0]!;
    const item = items.find((i) => i.id === first.id)!;
    const again = await clean.chat(item.messages, { maxTokens: 256 });
    expect(first.output).toBe(again.text.trim());
    const provenance = first.provenance as Record<string, unknown>;
    expect(provenance).toMatchObject({
      generator: "openai-chat",
      model: "phase1",
      baseUrl: server.url,
      promptTemplate: "server",
    });
    expect((provenance.sampling as Record<string, number>).maxTokens).toBe(256);
    expect(Number.isNaN(Date.parse(provenance.generatedAt as string))).toBe(false);
    const attempts = accepted.map((r) => (r.provenance as { attempts: number }).attempts);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    expect(first.source).toBe("replay-gr:synthetic");
    expect(first.parallel_id).toBe(item.record.parallel_id);

    // A second run over the same files is a no-op: no request at all.
    const before = server.stats.requests;
    const again2 = await runGenerativeReplay({
      items,
      generator: openAIChatGenerator(client, { maxTokens: 256, seed: 3 }),
      out,
      filters: { language: null },
    });
    expect(server.stats.requests).toBe(before);
    expect(again2.resumed.accepted + again2.resumed.rejected).toBe(1000);
    expect(again2.thisRun.accepted).toBe(0);
  });
});

describe("crash safety of the files", () => {
  it("cuts a torn last line, resumes, and never writes an id twice", async () => {
    const server = await startFaultServer();
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "m" });
      const items = syntheticItems(30);
      const out = join(dir, "torn.jsonl");
      await runGenerativeReplay({
        items: items.slice(0, 10),
        generator: openAIChatGenerator(client),
        out,
        filters: { language: null },
      });
      appendFileSync(out, '{"id":"en-10","language":"en","instr'); // a crash mid-write
      const summary = await runGenerativeReplay({
        items,
        generator: openAIChatGenerator(client),
        out,
        filters: { language: null },
      });
      expect(summary.resumed.tornBytes).toBeGreaterThan(0);
      expect(summary.resumed.accepted + summary.resumed.rejected).toBe(10);
      const ids = [...readJsonl(out), ...readJsonl(rejectsPathFor(out))].map((r) => r.id);
      expect(ids.length).toBe(30);
      expect(new Set(ids).size).toBe(30);
      // The first ten were not requested again.
      for (const item of items.slice(0, 10))
        expect(server.stats.items.get(faultItemKey(item.messages))!.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("refuses to resume with other sampling settings", async () => {
    const server = await startFaultServer();
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "m" });
      const out = join(dir, "settings.jsonl");
      await runGenerativeReplay({
        items: syntheticItems(2),
        generator: openAIChatGenerator(client, { maxTokens: 64 }),
        out,
      });
      await expect(
        runGenerativeReplay({
          items: syntheticItems(2),
          generator: openAIChatGenerator(client, { maxTokens: 65 }),
          out,
        }),
      ).rejects.toMatchObject({ code: "REPLAY_SETTINGS_CHANGED" });
    } finally {
      await server.close();
    }
  });

  it("stops cleanly on abort and reports pending items", async () => {
    const server = await startFaultServer({ latencyMs: 20 });
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "m", concurrency: 2 });
      const out = join(dir, "abort.jsonl");
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 150);
      const summary = await runGenerativeReplay({
        items: syntheticItems(200),
        generator: openAIChatGenerator(client),
        out,
        signal: controller.signal,
        filters: { language: null },
      });
      expect(summary.interrupted).toBe(true);
      expect(summary.pending).toBeGreaterThan(0);
      expect(summary.accepted + summary.rejected.total + summary.failed.total + summary.pending).toBe(200);
      expect(summary.failed.total).toBe(0);
      expect(readJsonl(out).length + readJsonl(rejectsPathFor(out)).length).toBe(
        summary.accepted + summary.rejected.total,
      );
    } finally {
      await server.close();
    }
  });
});

describe("stopping on its own", () => {
  it("stops when the request budget is spent, and when every item fails", async () => {
    const server = await startFaultServer();
    const broken = await startFaultServer({ faultRate: 1, faultKinds: ["http500"] });
    try {
      const budgeted = new OpenAICompatibleClient({
        baseUrl: server.url,
        model: "m",
        concurrency: 1,
        requestBudget: 5,
      });
      const s1 = await runGenerativeReplay({
        items: syntheticItems(20),
        generator: openAIChatGenerator(budgeted),
        out: join(dir, "budget.jsonl"),
        filters: { language: null },
      });
      expect(s1.stoppedBy?.code).toBe("OPENAI_BUDGET_EXHAUSTED");
      expect(s1.accepted + s1.rejected.total).toBe(5);
      expect(s1.accepted + s1.rejected.total + s1.failed.total + s1.pending).toBe(20);
      expect(server.stats.requests).toBe(5);

      const c = new OpenAICompatibleClient({
        baseUrl: broken.url,
        model: "m",
        concurrency: 2,
        maxRetries: 1,
        backoff: { baseMs: 1, maxMs: 2 },
      });
      const s2 = await runGenerativeReplay({
        items: syntheticItems(100),
        generator: openAIChatGenerator(c),
        out: join(dir, "broken.jsonl"),
        maxConsecutiveFailures: 10,
        itemRetries: 0,
      });
      expect(s2.stoppedBy?.code).toBe("REPLAY_TOO_MANY_FAILURES");
      expect(s2.accepted).toBe(0);
      expect(s2.failed.total).toBeGreaterThanOrEqual(10);
      expect(s2.failed.byCode.OPENAI_RETRIES_EXHAUSTED).toBe(s2.failed.total);
      expect(s2.failed.total + s2.pending).toBe(100);
      expect(broken.stats.requests).toBeLessThan(40);

      // With the default retry per item, the first failures wait for a retry when the run stops: they
      // are failed items too, so the summary says "failed 10" like the error ("10 … failed in a row").
      const c3 = new OpenAICompatibleClient({
        baseUrl: broken.url,
        model: "m",
        concurrency: 1,
        maxRetries: 0,
        backoff: { baseMs: 1, maxMs: 2 },
      });
      const s3 = await runGenerativeReplay({
        items: syntheticItems(100),
        generator: openAIChatGenerator(c3),
        out: join(dir, "broken-retry.jsonl"),
        maxConsecutiveFailures: 10,
      });
      expect(s3.stoppedBy?.message).toMatch(/^10 generations failed in a row/);
      expect(s3.failed.attempts).toBe(10);
      expect(s3.failed.total).toBe(10);
      expect(s3.accepted + s3.rejected.total + s3.failed.total + s3.pending).toBe(100);
    } finally {
      await server.close();
      await broken.close();
    }
  });
});

describe("quality filters are counted, not silent", () => {
  it("rejects empty, truncated, refusals and wrong-language answers; counts add up", async () => {
    const answers = [
      "",
      "I'm sorry, but I cannot help with that request.",
      "Der Fluss fließt durch die Stadt und die Menschen gehen am Ufer spazieren, wenn die Sonne scheint.",
      "Rivers carry water from the mountains to the sea, and many towns were built along their banks.",
    ];
    const server = await startFaultServer({
      respond: (prompt) => {
        const n = Number(/number (\d+)/.exec(prompt)?.[1] ?? 0);
        if (n % 5 === 4) return "word ".repeat(50).trim(); // cut at max_tokens
        return answers[n % 4]!;
      },
    });
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "m" });
      const out = join(dir, "filters.jsonl");
      const summary = await runGenerativeReplay({
        items: syntheticItems(40),
        generator: openAICompletionGenerator(client, "chatml", { maxTokens: 20 }),
        out,
      });
      const expected = { empty: 0, refusal: 0, language: 0, truncated: 0 };
      let ok = 0;
      for (let n = 0; n < 40; n++) {
        if (n % 5 === 4) expected.truncated++;
        else if (n % 4 === 0) expected.empty++;
        else if (n % 4 === 1) expected.refusal++;
        else if (n % 4 === 2) expected.language++;
        else ok++;
      }
      expect(summary.rejected.byReason).toEqual(expected);
      expect(summary.accepted).toBe(ok);
      expect(summary.accepted + summary.rejected.total).toBe(40);
      const rejects = readJsonl(rejectsPathFor(out));
      expect(rejects.length).toBe(40 - ok);
      expect((rejects[0]!.provenance as { promptTemplate: string }).promptTemplate).toBe("chatml");
    } finally {
      await server.close();
    }
  });
});

// Keep an unused helper reachable for the CLI test fixtures.
export function writeItemsAsRecords(path: string, items: GenerationItem[]): void {
  writeFileSync(path, `${items.map((i) => JSON.stringify(i.record)).join("\n")}\n`);
}
