import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alpacaEvalTask, parseRanking } from "./alpaca-eval-annotator.js";
import type { EvalModel } from "./eval-model.js";
import { OpenAIEvalModel } from "./openai-eval-model.js";
import { loadPairwiseItems } from "./pairwise-judge-task.js";
import { runEvaluation, parseTaskSpec } from "./run-evaluation.js";

const reference = fileURLToPath(
  new URL("../../../../tools/reference/alpaca_eval_winrate.py", import.meta.url),
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-alpaca-eval-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** The model under evaluation: answers every instruction by repeating it. */
const echo: EvalModel = {
  id: "echo",
  async generate(requests) {
    return requests.map((r) => (r.prompt as { content: string }[])[0]!.content);
  },
  async logLikelihood() {
    throw new Error("unused");
  },
};

/** A judge behind a real HTTP server: prefers the answer containing GOOD; undecided → no ranking. */
function judgeReply(prompt: string): string {
  const answer = (model: string) =>
    prompt.split(`"model": "${model}",\n        "answer": """`)[1]?.split('"""')[0] ?? "";
  const good1 = answer("model_1").includes("GOOD");
  const good2 = answer("model_2").includes("GOOD");
  if (good1 === good2) return "Both answers are equally fine.";
  const first = good1 ? 1 : 2;
  return `[{'model': 'model_1', 'rank': ${first}}, {'model': 'model_2', 'rank': ${3 - first}}]`;
}

// alpaca_eval's reference-outputs layout: a JSON array of {instruction, output, generator}.
const REFERENCE_OUTPUTS = [
  { instruction: "Say GOOD", output: "bad", generator: "text_davinci_003" },
  { instruction: "Say meh", output: "GOOD answer", generator: "text_davinci_003" },
  { instruction: "Say GOOD too", output: "bad again", generator: "text_davinci_003" },
  { instruction: "Same", output: "Same", generator: "text_davinci_003" },
  { instruction: "Say nothing", output: "nothing either", generator: "text_davinci_003" },
  { instruction: "GOOD or not", output: "not", generator: "text_davinci_003" },
  { instruction: "Try harder", output: "GOOD", generator: "text_davinci_003" },
];

describe("AlpacaEval with the alpaca_eval_gpt4 annotator through a loopback judge", () => {
  it("computes the win rate as alpaca_eval does (checked by an independent Python script)", async () => {
    const server = await startFaultServer({ respond: (prompt) => judgeReply(prompt) });
    try {
      const path = join(dir, "reference_outputs.json");
      await writeFile(path, JSON.stringify(REFERENCE_OUTPUTS));
      const judge = new OpenAIEvalModel({ baseUrl: server.url, model: "judge" });
      const result = await alpacaEvalTask(echo, judge, await loadPairwiseItems(path), { seed: 3 });
      // Wins on items 0, 2, 5; loses 1, 6; item 3 identical (draw, not judged); item 4 undecided (dropped).
      expect(result.details).toMatchObject({
        annotator: "alpaca_eval_gpt4",
        n_total: 6,
        n_wins: 3,
        n_wins_base: 2,
        n_draws: 1,
        n_unparsed: 1,
      });
      expect(result.score).toBeCloseTo(3.5 / 6, 12);
      expect(server.stats.byEndpoint.chat).toBe(6); // the identical pair was not sent
      const shown = result.predictions.map((p) => p.model_shown_first as boolean);
      expect(new Set(shown).size).toBe(2); // the order was randomised
      const expected = JSON.parse(
        execFileSync("python3", [reference], {
          input: JSON.stringify({
            items: result.predictions.map((p) => ({
              reply: p.judge_reply,
              model_shown_first: p.model_shown_first,
            })),
          }),
          encoding: "utf8",
        }),
      ) as Record<string, number>;
      for (const key of [
        "win_rate",
        "standard_error",
        "n_wins",
        "n_wins_base",
        "n_draws",
        "n_total",
        "n_unparsed",
      ]) {
        expect(result.details[key], key).toBeCloseTo(expected[key]!, 10);
      }
      // Another seed shows other orders to the judge, and an order-blind judge gives the same win rate.
      const other = await alpacaEvalTask(echo, judge, await loadPairwiseItems(path), { seed: 4 });
      expect(other.predictions.map((p) => p.model_shown_first)).not.toEqual(shown);
      expect(other.score).toBeCloseTo(result.score, 12);
    } finally {
      await server.close();
    }
  });

  it("runEvaluation uses alpaca_eval_gpt4 by default and keeps the cftkit judge as a named alternative", async () => {
    const server = await startFaultServer({
      respond: (prompt) => (prompt.includes("# Output A") ? "A" : judgeReply(prompt)),
    });
    try {
      const path = join(dir, "ref.json");
      await writeFile(path, JSON.stringify(REFERENCE_OUTPUTS.slice(0, 3)));
      const judge = new OpenAIEvalModel({ baseUrl: server.url, model: "judge" });
      const tasks = [parseTaskSpec(`alpaca_eval:${path}`)];
      const paper = await runEvaluation({ model: echo, tasks, judge });
      expect(paper.tasks[0]!.details).toMatchObject({ annotator: "alpaca_eval_gpt4", n_wins: 2 });
      const ours = await runEvaluation({ model: echo, tasks, judge, alpacaEvalAnnotator: "cftkit_pairwise" });
      expect(ours.tasks[0]!.details.annotator).toBe("cftkit_pairwise");
      expect(ours.tasks[0]!.score).toBe(0.5); // a judge always answering "A" is cancelled by the two orders
    } finally {
      await server.close();
    }
  });

  it("reads rankings in either quote style and key order", () => {
    expect(parseRanking("[{'model': 'model_1', 'rank': 2}, {'model': 'model_2', 'rank': 1}]")).toBe(2);
    expect(parseRanking('[{"rank": 1, "model": "model_1"}, {"rank": 2, "model": "model_2"}]')).toBe(1);
    expect(parseRanking("model_1 is better")).toBeNull();
  });
});
