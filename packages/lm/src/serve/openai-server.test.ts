import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "../causal-lm.js";
import { type RunningOpenAIServer, startOpenAIServer } from "./openai-server.js";

let model: CausalLM;
let server: RunningOpenAIServer;

/** The parts of an answer the tests read (absent ones are undefined at run time). */
interface Answer {
  choices: {
    text: string;
    logprobs: {
      tokens: string[];
      token_logprobs: (number | null)[];
      top_logprobs: Record<string, number>[];
      text_offset: number[];
    };
  }[];
  usage: Record<string, number>;
  error: { message: string };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

/** Send a request on a raw socket and destroy it once `abortWhen` resolves; resolves when the socket is gone. */
function sendAndDisconnect(path: string, body: unknown, abortWhen: Promise<unknown>): Promise<boolean> {
  return new Promise((done) => {
    const url = new URL(`${server.baseUrl}${path}`);
    const req = request(url, { method: "POST", headers: { "content-type": "application/json" } });
    let answered = false;
    req.on("response", () => {
      answered = true;
    });
    req.on("error", () => undefined);
    req.on("close", () => done(answered));
    req.end(JSON.stringify(body));
    void abortWhen.then(() => req.destroy());
  });
}

function logSoftmax(row: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(row, (v) => v - lse);
}

beforeAll(async () => {
  model = await CausalLM.init({ preset: "tiny", seed: 11 });
  server = await startOpenAIServer(model, { modelName: "tiny-11" });
});
afterAll(async () => {
  await server?.close();
  model?.dispose();
});

describe("startOpenAIServer", () => {
  it("lists its model and answers unknown models and routes as vLLM does", async () => {
    const models = (await (await fetch(`${server.baseUrl}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["tiny-11"]);
    const wrong = await post("/completions", { model: "other", prompt: "x", max_tokens: 1 });
    expect(wrong.status).toBe(404);
    expect(wrong.json.error.message).toContain("other");
    expect((await post("/nothing", {})).status).toBe(404);
    const bad = await post("/completions", { model: "tiny-11", prompt: 3 });
    expect(bad.status).toBe(400);
    const stream = await post("/chat/completions", {
      messages: [{ role: "user", content: "a" }],
      stream: true,
    });
    expect(stream.status).toBe(400);
  });

  it("echo + logprobs with max_tokens 0: the prompt's tokens (BOS first) scored as CausalLM.forward scores them", async () => {
    const tok = model.tokenizer!;
    const prompt = "The river runs";
    const ids = tok.encode(prompt, { addSpecialTokens: true });
    const { json } = await post("/completions", {
      model: "tiny-11",
      prompt,
      max_tokens: 0,
      echo: true,
      logprobs: 1,
    });
    const lp = json.choices[0]!.logprobs;
    expect(json.choices[0]!.text).toBe(prompt);
    expect(lp.tokens.length).toBe(ids.length);
    expect(lp.tokens.join("")).toBe(prompt);
    expect(lp.token_logprobs[0]).toBeNull();
    const { logits } = await model.forward([ids]);
    const V = model.config.vocabSize;
    for (let p = 1; p < ids.length; p++) {
      const ref = logSoftmax(logits[0]!.subarray((p - 1) * V, p * V))[ids[p]!]!;
      expect(lp.token_logprobs[p]).toBeCloseTo(ref, 5);
    }
    // The continuation's sum equals CausalLM's own log-likelihood (lm-eval semantics).
    const [ll] = await model.logLikelihood([{ context: "The river", continuation: " runs" }]);
    const cut = lp.text_offset.findIndex((o) => o >= "The river".length);
    const sum = lp.token_logprobs.slice(cut).reduce((s: number, v) => s + (v ?? 0), 0);
    expect(sum).toBeCloseTo(ll!.logprob, 4);
    expect(json.usage).toEqual({ prompt_tokens: ids.length, completion_tokens: 0, total_tokens: ids.length });
  });

  it("generated tokens carry logprobs and top-k, and greedy text equals CausalLM.generate", async () => {
    const { json } = await post("/completions", {
      model: "tiny-11",
      prompt: ["Hello", "Bees"],
      max_tokens: 6,
      logprobs: 3,
    });
    const direct = await model.generate(["Hello", "Bees"], { maxNewTokens: 6, batchSize: 1 });
    expect(json.choices.map((c) => c.text)).toEqual(direct.map((d) => d.text));
    const lp = json.choices[0]!.logprobs;
    expect(lp.token_logprobs.length).toBe(json.choices[0]!.text === "" ? 0 : lp.tokens.length);
    for (const [i, top] of lp.top_logprobs.entries()) {
      expect(Object.keys(top).length).toBeGreaterThanOrEqual(1);
      // greedy: the chosen token is the most likely one
      expect(Math.max(...Object.values(top))).toBeCloseTo(lp.token_logprobs[i]!, 4);
    }
  });

  it("queues concurrent requests: each answer equals the answer to the same request alone", async () => {
    const bodies = Array.from({ length: 6 }, (_, i) =>
      i % 2 === 0
        ? { path: "/completions", body: { prompt: `Item ${i}:`, max_tokens: 5 } }
        : {
            path: "/chat/completions",
            body: { messages: [{ role: "user", content: `Say ${i}` }], max_tokens: 5 },
          },
    );
    const together = await Promise.all(bodies.map((b) => post(b.path, b.body)));
    for (const [i, b] of bodies.entries()) {
      const alone = await post(b.path, b.body);
      expect(together[i]!.status).toBe(200);
      expect(together[i]!.json.choices).toEqual(alone.json.choices);
    }
  });

  it("a client that disconnects is dropped from the queue or stopped mid-generation; the server keeps serving", async () => {
    const before = { ...server.stats };
    const long = { prompt: "Once", max_tokens: 1500 };
    // The first request runs; the second waits behind it. Both clients leave while the first generates.
    const running = fetch(`${server.baseUrl}/models`); // a cheap request so the queue is warm
    await running;
    let leave!: () => void;
    const left = new Promise<void>((r) => {
      leave = r;
    });
    const first = sendAndDisconnect("/completions", long, left);
    const second = sendAndDisconnect("/completions", long, left);
    await new Promise((r) => setTimeout(r, 300));
    leave();
    expect(await first).toBe(false);
    expect(await second).toBe(false);
    const after = await post("/completions", { prompt: "Still", max_tokens: 2 });
    expect(after.status).toBe(200);
    expect(server.stats.cancelled - before.cancelled).toBe(2);
  });
});
