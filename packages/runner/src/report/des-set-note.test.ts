import { describe, expect, it } from "vitest";
import type { ExperimentResults, PhasePairResult } from "./experiment-results.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";

const phase1 = {
  ea: 0.3,
  ma: 0.2,
  overall: 0.25,
  tasks: {},
  task_abilities: {},
  english_loss: 1,
  multilingual_loss: 2,
  loss_by_language: {},
};

function instructPair(text: string): PhasePairResult {
  return {
    name: "instruct",
    description: "",
    phase1_data: "./mistral-7b-instruct",
    phase2_data: "multialpaca.jsonl",
    des: 0.75,
    des_encoder: "sentence-transformers:labse",
    des_by_language: {},
    des_text: text,
    des_set: {
      file: "instruct-set/replay.jsonl",
      path: "runs/steps/des-set-instruct-abc/instruct-set/replay.jsonl",
      model: "instruct:./mistral-7b-instruct",
      prompts: "data/mt_bench/question.jsonl",
      prompts_available: 80,
      prompts_used: 80,
      rows: 80,
      resumed: 0,
      generator: "server",
      max_new_tokens: 1024,
    },
    phase1,
    phase1_training: { steps: 0, final_loss: Number.NaN, seconds: 0, curve: [] },
  };
}

const results = (pair: PhasePairResult): ExperimentResults => ({
  name: "instruct DES",
  created_at: "2026-12-06T00:00:00.000Z",
  profile: "custom",
  seed: 0,
  backend: "axolotl",
  model: { preset: "mistral", parameters: 7e9, config: {} },
  measures: [],
  pairs: [pair],
  strategies: [],
  projection: { method: "tsne", points: [] },
  notes: [],
  seconds: 1,
});

describe("report: the Instruct DES set", () => {
  it("says which set was generated, by which model, from how many prompts, embedded how", () => {
    const md = renderMarkdown(results(instructPair("instruction+input+output")));
    expect(md).toContain(
      "DES set of instruct: instruct:./mistral-7b-instruct's greedy answers (≤ 1024 new tokens, server generation) to 80 of the 80 prompts of data/mt_bench/question.jsonl (first turns), 80 rows, embedded as instruction+input+output",
    );
    const html = renderHtml(results(instructPair("instruction+input+output")), {
      drift: {},
      training: {},
      projection: "",
    });
    expect(html).toContain("instruct:./mistral-7b-instruct&#39;s greedy answers");
  });

  it("warns when only the prompts were embedded", () => {
    expect(renderMarkdown(results(instructPair("instruction")))).toContain(
      "only the prompts were embedded (analysis.des.text: instruction), not the answers",
    );
  });
});
