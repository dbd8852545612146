import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isCftkitError } from "@cftkit/core";
import { type FaultServer, faultItemKey, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderChatML } from "./chatml.js";
import { loadMmluItems } from "./multiple-choice-task.js";
import { OpenAIEvalModel } from "./openai-eval-model.js";
import { loadSquadQaItems } from "./qa-items.js";
import { ResponseCache } from "./response-cache.js";
import { parseTaskSpec, runEvaluation } from "./run-evaluation.js";

const dataDir = fileURLToPath(new URL("../../../../data", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-openai-eval-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function mmluCsv(n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++)
    rows.push(
      `"Question ${i}: what is ${i} + ${i}, roughly?",${2 * i},${2 * i + 1},"${i}, maybe",${i * i},${"ABCD"[i % 4]}`,
    );
  return `${rows.join("\n")}\n`;
}

const fastClient = {
  concurrency: 4,
  timeoutMs: 1000,
  maxRetries: 10,
  backoff: { baseMs: 5, maxMs: 40, jitter: 0.5 },
};

describe("OpenAIEvalModel against the fault server", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer({
      faultRate: 0.35,
      faultKinds: ["http500", "http429", "reset", "hang", "slow"],
      seed: 11,
      retryAfter: "0.02",
      hangMs: 3000,
      slowMs: 60,
      maxFaultsPerItem: 4,
    });
  });
  afterAll(async () => server.close());

  it("completes a QA task and a multiple-choice task under faults, scoring every item exactly once, and a restart asks nothing", async () => {
    const mmluPath = join(dir, "arithmetic_test.csv");
    await writeFile(mmluPath, mmluCsv(10));
    const tasks = [parseTaskSpec("xquad_en", { dataDir, limit: 40 }), parseTaskSpec(`mmlu:${mmluPath}`)];
    const cachePath = join(dir, "cache.jsonl");
    const model = new OpenAIEvalModel({
      baseUrl: server.url,
      model: "fault-test-model",
      cache: cachePath,
      ...fastClient,
    });
    const report = await runEvaluation({ model, tasks });

    // Faults of every kind really happened and were retried through.
    for (const kind of ["http500", "http429", "reset", "hang", "slow"] as const)
      expect(server.stats.byKind[kind], kind).toBeGreaterThan(0);
    expect(model.clientStats.retries).toBeGreaterThan(0);
    expect(model.clientStats.gaveUp).toBe(0);

    // Every QA item and every (question, choice) pair answered completely exactly once by the server.
    const qaItems = await loadSquadQaItems(tasks[0]!.path, { language: "en", limit: 40 });
    const mcItems = await loadMmluItems(mmluPath);
    expect(qaItems).toHaveLength(40);
    const keys = [
      ...qaItems.map((item) => faultItemKey(item.prompt)),
      ...mcItems.flatMap((item) => item.choices.map((c) => faultItemKey(item.context + c))),
    ];
    // Identical prompts (XQuAD repeats a few questions) are one request: the cache key is the request.
    const unique = new Set(keys).size;
    expect(unique).toBeGreaterThan(75);
    for (const key of keys) {
      const s = server.stats.items.get(key);
      expect(s?.completed, key).toBe(1);
      expect(s?.requestsAfterCompleted, key).toBe(0);
    }
    const uniqueQa = new Set(qaItems.map((item) => faultItemKey(item.prompt))).size;
    expect(model.sent).toEqual({ generate: uniqueQa, logLikelihood: 40 });
    // The cache holds exactly one line per distinct request.
    const lines = (await readFile(cachePath, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(unique);
    expect(new Set(lines.map((l) => JSON.parse(l).key)).size).toBe(unique);

    const byTask = Object.fromEntries(report.tasks.map((t) => [t.task, t]));
    expect(byTask.xquad_en!.count).toBe(40);
    expect(byTask.mmlu!.count).toBe(10);
    for (const t of report.tasks) expect(t.score).toBeGreaterThanOrEqual(0);

    // Restart: a fresh model over the same cache file re-asks nothing and reproduces the scores.
    const before = server.stats.requests;
    const restarted = new OpenAIEvalModel({
      baseUrl: server.url,
      model: "fault-test-model",
      cache: cachePath,
      ...fastClient,
    });
    const again = await runEvaluation({ model: restarted, tasks });
    expect(server.stats.requests).toBe(before);
    expect(restarted.sent).toEqual({ generate: 0, logLikelihood: 0 });
    expect(restarted.cache.counters.hits).toBe(80);
    expect(restarted.cache.counters.misses).toBe(0);
    expect(again.tasks.map((t) => t.score)).toEqual(report.tasks.map((t) => t.score));
  }, 60_000);

  it("resumes an interrupted evaluation (request budget exhausted mid-task) without re-asking finished items", async () => {
    const local = await startFaultServer({ faultRate: 0.2, faultKinds: ["http500", "reset"], seed: 5 });
    try {
      const tasks = [parseTaskSpec("xquad_de", { dataDir, limit: 30 })];
      const cachePath = join(dir, "interrupted.jsonl");
      const first = new OpenAIEvalModel({
        baseUrl: local.url,
        model: "m",
        cache: cachePath,
        ...fastClient,
        requestBudget: 20,
      });
      const error = await runEvaluation({ model: first, tasks }).catch((e: unknown) => e);
      expect(isCftkitError(error) && error.code).toBe("OPENAI_BUDGET_EXHAUSTED");
      await first.settle();
      const answered = first.cache.size;
      expect(answered).toBeGreaterThan(0);
      expect(answered).toBeLessThan(30);
      const second = new OpenAIEvalModel({ baseUrl: local.url, model: "m", cache: cachePath, ...fastClient });
      const report = await runEvaluation({ model: second, tasks });
      expect(report.tasks[0]!.count).toBe(30);
      const items = await loadSquadQaItems(tasks[0]!.path, { language: "de", limit: 30 });
      const unique = new Set(items.map((i) => faultItemKey(i.prompt)));
      expect(second.sent.generate).toBe(unique.size - answered);
      for (const key of unique) {
        expect(local.stats.items.get(key)?.completed, key).toBe(1);
        expect(local.stats.items.get(key)?.requestsAfterCompleted, key).toBe(0);
      }
    } finally {
      await local.close();
    }
  }, 30_000);

  it("sums continuation log-probabilities by text offset (additive over a split continuation)", async () => {
    const model = new OpenAIEvalModel({ baseUrl: server.url, model: "m", ...fastClient });
    const context = "The quick brown fox jumps over";
    const [whole, first, second] = await model.logLikelihood([
      { context, continuation: " the lazy" },
      { context, continuation: " the" },
      { context: `${context} the`, continuation: " lazy" },
    ]);
    expect(whole!.tokenCount).toBe(2);
    expect(first!.tokenCount).toBe(1);
    expect(whole!.logprob).toBeCloseTo(first!.logprob + second!.logprob, 12);
    expect(whole!.logprob).toBeLessThan(0);
    // The request went out as lm-eval's local-completions does it.
    const chat = [{ role: "user" as const, content: "Hi there" }];
    const [viaChat] = await model.logLikelihood([{ context: chat, continuation: " Hello" }]);
    const [viaText] = await model.logLikelihood([{ context: renderChatML(chat), continuation: " Hello" }]);
    expect(viaChat).toEqual(viaText);
  });
});

describe("OpenAIEvalModel errors and cache", () => {
  it("raises EVAL_NO_PROMPT_LOGPROBS when the server returns no prompt logprobs", async () => {
    const http = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const body = JSON.stringify({
          choices: [{ index: 0, text: "", logprobs: null, finish_reason: "length" }],
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
    try {
      const model = new OpenAIEvalModel({ baseUrl: url, model: "chat-only", ...fastClient });
      const error = await model
        .logLikelihood([{ context: "a", continuation: " b" }])
        .catch((e: unknown) => e);
      expect(isCftkitError(error) && error.code).toBe("EVAL_NO_PROMPT_LOGPROBS");
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it("ignores a torn last cache line and keys by model and request", async () => {
    const path = join(dir, "torn.jsonl");
    const k1 = ResponseCache.keyOf("m", { a: 1 });
    await writeFile(path, `${JSON.stringify({ key: k1, value: { text: "x" } })}\n{"key": "abc", "val`);
    const cache = new ResponseCache(path);
    await cache.load();
    expect(cache.size).toBe(1);
    expect(cache.get(k1)).toEqual({ text: "x" });
    expect(ResponseCache.keyOf("m2", { a: 1 })).not.toBe(k1);
  });
});
