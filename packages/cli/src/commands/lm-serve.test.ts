import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAICompatibleClient } from "@cftkit/core";
import { OpenAIEvalModel } from "@cftkit/evaluation";
import { CausalLM } from "@cftkit/lm";
import { embeddedGenerator, openAIChatGenerator, runGenerativeReplay } from "@cftkit/replay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-lm-serve-"));
const modelDir = join(dir, "model");
let child: ChildProcess;
let baseUrl: string;
let exited: Promise<number | null>;

/** Start `cftkit lm serve --port 0` and read the address it prints. */
function startServe(): Promise<string> {
  child = spawn(process.execPath, ["packages/cli/bin/cftkit.js", "lm", "serve", modelDir, "--port", "0"], {
    cwd: repoRoot,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  exited = new Promise((r) => child.on("exit", (code) => r(code)));
  return new Promise((resolveUrl, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`lm serve exited with ${code} before listening`)));
  });
}

function logSoftmaxAt(row: number[], id: number): number {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row[id]! - lse;
}

beforeAll(async () => {
  const init = await runCftkit(["lm", "init", "--out", modelDir, "--seed", "5"]);
  expect(init.code, init.stderr).toBe(0);
  baseUrl = await startServe();
}, 120_000);
afterAll(() => {
  if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("cftkit lm serve", () => {
  it("likelihood scoring through the OpenAI eval model equals log-softmax of `cftkit lm logits`", async () => {
    const model = await CausalLM.load(modelDir);
    const context = "Question: where do bees live?\nAnswer:";
    const continuation = " in hives";
    const ids = model.tokenizer!.encode(context + continuation, { addSpecialTokens: true });
    const ctxLen = model.tokenizer!.encode(context, { addSpecialTokens: true }).length;
    const [own] = await model.logLikelihood([{ context, continuation }]);
    model.dispose();

    const logits = await runCftkit(["lm", "logits", modelDir, "--token-ids", ids.join(","), "--json"]);
    expect(logits.code, logits.stderr).toBe(0);
    const rows = (JSON.parse(logits.stdout) as { logits: number[][] }).logits;
    let fromLogits = 0;
    for (let p = ctxLen; p < ids.length; p++) fromLogits += logSoftmaxAt(rows[p - 1]!, ids[p]!);

    const evalModel = new OpenAIEvalModel({ baseUrl, model: modelDir });
    const [served] = await evalModel.logLikelihood([{ context, continuation }]);
    expect(served!.tokenCount).toBe(ids.length - ctxLen);
    expect(served!.logprob).toBeCloseTo(fromLogits, 4);
    expect(served!.logprob).toBeCloseTo(own!.logprob, 4);
  }, 120_000);

  it("generative replay through the server writes the responses the embedded model generates", async () => {
    const items = ["rivers", "bread", "trains"].map((topic, i) => ({
      id: `en-${i}`,
      messages: [{ role: "user" as const, content: `Write about ${topic}.` }],
      record: {
        id: `en-${i}`,
        language: "en",
        instruction: `Write about ${topic}.`,
        output: "x",
        source: "t",
      },
    }));
    const client = new OpenAICompatibleClient({ baseUrl, model: modelDir, concurrency: 3 });
    const served = await runGenerativeReplay({
      items,
      generator: openAIChatGenerator(client, { maxTokens: 12 }),
      out: join(dir, "gr-served.jsonl"),
      filters: { language: null, truncated: false, empty: false, refusal: false },
    });
    expect(served.failed.total).toBe(0);
    const model = await CausalLM.load(modelDir);
    const local = await runGenerativeReplay({
      items,
      generator: embeddedGenerator(model, { modelName: "local", maxTokens: 12, batchSize: 1 }),
      out: join(dir, "gr-local.jsonl"),
      filters: { language: null, truncated: false, empty: false, refusal: false },
    });
    model.dispose();
    const outputs = (file: string) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; output: string })
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((r) => [r.id, r.output]);
    expect(served.accepted).toBe(3);
    expect(local.accepted).toBe(served.accepted);
    expect(outputs(served.out)).toEqual(outputs(local.out));
  }, 120_000);

  it("stops cleanly on SIGTERM", async () => {
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(fetch(`${baseUrl}/models`)).rejects.toThrow();
  });
});
