import { describe, expect, it } from "vitest";
import {
  describeIfevalMetrics,
  describeQaFileScore,
  describeRougeScores,
  describeTaskScores,
} from "./score-descriptions.js";

describe("score descriptions", () => {
  it("task scores: per task in percent, item counts when any task has them, then EA/MA/Overall", () => {
    const tasks = [
      { task: "xquad_en", ability: "EA", metric: "f1", score: 0.5, count: 20 },
      { task: "xquad_de", ability: "MA", metric: "f1", score: 0.25 },
    ];
    expect(describeTaskScores(tasks, { ea: 0.5, ma: 0.25, overall: 0.375 })).toEqual([
      "task      ability  metric  score  items",
      "--------  -------  ------  -----  -----",
      "xquad_en  EA       f1      50.00  20",
      "xquad_de  MA       f1      25.00",
      "",
      "EA 50.00  MA 25.00  Overall 37.50",
    ]);
    const uncounted = describeTaskScores([{ ...tasks[0]!, count: undefined }], {
      ea: 0.5,
      ma: null,
      overall: null,
    });
    expect(uncounted[0]).toBe("task      ability  metric  score");
    expect(describeTaskScores(tasks.slice(1), { ea: null, ma: 0.25, overall: null }).at(-1)).toBe(
      "EA –  MA 25.00  Overall –",
    );
  });

  it("QA: exact match and F1 with the question count and scorer", () => {
    const score = { exact_match: 50, f1: 62.5, count: 4, answered: 3, scorer: "squad" as const, lang: "en" };
    expect(describeQaFileScore(score)).toEqual(["exact_match 50.0000  f1 62.5000  (4 questions, squad/en)"]);
  });

  it("IFEval and ROUGE: one row per metric", () => {
    const metrics = {
      prompt_level_strict_acc: 0.5,
      inst_level_strict_acc: 0.75,
      prompt_level_loose_acc: 0.5,
      inst_level_loose_acc: 1,
    };
    expect(describeIfevalMetrics(metrics)).toEqual([
      "metric                   value",
      "-----------------------  --------",
      "prompt_level_strict_acc  0.500000",
      "inst_level_strict_acc    0.750000",
      "prompt_level_loose_acc   0.500000",
      "inst_level_loose_acc     1.000000",
    ]);
    const score = (f: number) => ({ precision: 1, recall: 0.5, fmeasure: f });
    expect(describeRougeScores({ rouge1: score(0.75), rouge2: score(0), rougeL: score(0.5) })).toEqual([
      "type    precision  recall   f1",
      "------  ---------  -------  -------",
      "rouge1  1.00000    0.50000  0.75000",
      "rouge2  1.00000    0.50000  0.00000",
      "rougeL  1.00000    0.50000  0.50000",
    ]);
  });
});
