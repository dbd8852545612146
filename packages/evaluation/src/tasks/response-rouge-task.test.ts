import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { EvalModel, GenerationRequest } from "./eval-model.js";
import { responseItems, responseRougeTask } from "./response-rouge-task.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cftkit-responses-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A model that answers each prompt from a table (what a greedy model would say), recording the requests. */
function answering(answers: Record<string, string>): EvalModel & { requests: GenerationRequest[] } {
  const requests: GenerationRequest[] = [];
  return {
    id: "table",
    requests,
    async generate(batch) {
      requests.push(...batch);
      return batch.map((r) => answers[(r.prompt as { content: string }[]).at(-1)!.content] ?? "");
    },
    async logLikelihood() {
      throw new Error("not used");
    },
  };
}

describe("responseItems", () => {
  it("takes the last assistant turn as the reference and the turns before it as the prompt", () => {
    const items = responseItems([
      {
        id: "a",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Name a colour." },
          { role: "assistant", content: "Blue." },
        ],
      },
      { id: "no-answer", messages: [{ role: "user", content: "Hi" }] },
    ]);
    expect(items).toEqual([
      {
        id: "a",
        prompt: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Name a colour." },
        ],
        reference: "Blue.",
      },
    ]);
  });
});

describe("responseRougeTask", () => {
  it("scores greedy answers with ROUGE-L F1 as the independent rouge_score reference does (stemmed English)", async () => {
    const pairs: [string, string, string][] = [
      [
        "Describe running.",
        "Running is a form of exercise that strengthens the heart.",
        "He runs and exercises daily for his heart",
      ],
      ["List two fruits.", "Apples and oranges are fruits.", "the the the"],
      ["Say nothing.", "Nothing at all.", ""],
    ];
    const model = answering(Object.fromEntries(pairs.map(([q, , a]) => [q, a])));
    const items = pairs.map(([q, ref], i) => ({
      id: String(i),
      prompt: [{ role: "user" as const, content: q }],
      reference: ref,
    }));
    const result = await responseRougeTask(model, items, { set: "alpaca", language: "en", maxNewTokens: 7 });
    const jobs = join(tmp, "jobs.json");
    writeFileSync(
      jobs,
      JSON.stringify({ pairs: pairs.map(([, ref, a]) => [ref, a]), stem: true, repeat: 1 }),
    );
    const ref = spawnSync("python3", [join(repo, "tools/reference/rouge_ref.py"), "score", jobs], {
      encoding: "utf8",
    });
    if (ref.status !== 0) throw new Error(ref.stderr);
    const scores = (JSON.parse(ref.stdout) as { scores: { rougeL: number[] }[] }).scores;
    const expected = scores.reduce((s, x) => s + x.rougeL[2]!, 0) / scores.length;
    expect(expected).toBeGreaterThan(0);
    expect(result.score).toBeCloseTo(expected, 12);
    expect(result).toMatchObject({
      task: "response_rougeL_alpaca_en",
      family: "response_rougeL_alpaca",
      ability: "EA",
      metric: "rougeL_f",
      count: 3,
    });
    expect(model.requests.map((r) => r.maxNewTokens)).toEqual([7, 7, 7]);
    expect(result.predictions[0]).toEqual({ id: "0", prediction: pairs[0]![2], gold: pairs[0]![1] });
  });
});
