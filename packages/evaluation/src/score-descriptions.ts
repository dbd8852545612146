import { formatTable } from "@cftkit/core";
import type { IfevalResult, RougeScores } from "@cftkit/metrics";
import type { AbilitySummary } from "./aggregate.js";
import type { QaFileScore } from "./score-files.js";

/** The scores in words, as `cftkit eval …` prints them without --json (plain text lines). */

/** One task's score as the score table lists it (`count`: items scored, when known). */
export interface TaskScoreRow {
  task: string;
  ability: string;
  metric: string;
  score: number;
  count?: number;
}

/** Per-task scores (0-100), with item counts when known, then the EA/MA/Overall line. */
export function describeTaskScores(
  tasks: TaskScoreRow[],
  abilities: Pick<AbilitySummary, "ea" | "ma" | "overall">,
): string[] {
  const pct = (v: number | null) => (v === null ? "–" : (v * 100).toFixed(2));
  const counted = tasks.some((t) => t.count !== undefined);
  const header = ["task", "ability", "metric", "score", ...(counted ? ["items"] : [])];
  const rows = tasks.map((t) => [
    t.task,
    t.ability,
    t.metric,
    pct(t.score),
    ...(counted ? [t.count ?? ""] : []),
  ]);
  const { ea, ma, overall } = abilities;
  return [...formatTable(header, rows), "", `EA ${pct(ea)}  MA ${pct(ma)}  Overall ${pct(overall)}`];
}

/** QA exact match and F1 on one line, with the question count and the scorer. */
export function describeQaFileScore(score: QaFileScore): string[] {
  return [
    `exact_match ${score.exact_match.toFixed(4)}  f1 ${score.f1.toFixed(4)}  (${score.count} questions, ${score.scorer}/${score.lang})`,
  ];
}

/** IFEval's accuracies, one metric a row. */
export function describeIfevalMetrics(metrics: IfevalResult["metrics"]): string[] {
  return formatTable(
    ["metric", "value"],
    Object.entries(metrics).map(([k, v]) => [k, v.toFixed(6)]),
  );
}

/** ROUGE-1/2/L precision, recall and F1. */
export function describeRougeScores(scores: RougeScores): string[] {
  const rows = (["rouge1", "rouge2", "rougeL"] as const).map((k) => {
    const { precision, recall, fmeasure } = scores[k];
    return [k, precision.toFixed(5), recall.toFixed(5), fmeasure.toFixed(5)];
  });
  return formatTable(["type", "precision", "recall", "f1"], rows);
}
