import { CftkitError } from "@cftkit/core/errors";

/** A SQuAD v1.1-layout dataset (`{version, data:[{title, paragraphs:[{context, qas:[{id, question, answers:[{text}]}]}]}]}`). */
export interface SquadDataset {
  version?: string;
  data: SquadArticle[];
}
export interface SquadArticle {
  title?: string;
  paragraphs: { context?: string; qas: SquadQuestion[] }[];
}
export interface SquadQuestion {
  id: string;
  question?: string;
  answers: { text: string; answer_start?: number }[];
}

/** `{exact_match, f1, count}` on the official 0-100 scale; `answered` = questions that had a prediction. */
export interface QaScore {
  exact_match: number;
  f1: number;
  count: number;
  answered: number;
}

/** Token-overlap F1 as both official scripts compute it (0 when nothing overlaps). */
export function tokenF1(predictionTokens: string[], truthTokens: string[]): number {
  if (predictionTokens.length === 0 || truthTokens.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of truthTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predictionTokens) {
    const c = counts.get(t);
    if (c !== undefined && c > 0) {
      same += 1;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = (1.0 * same) / predictionTokens.length;
  const recall = (1.0 * same) / truthTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The official `evaluate()` loop: every question counts (unanswered ones score 0), max over gold answers,
 * accumulated in dataset order, then `100.0 * sum / total`.
 */
export function evaluateQa(
  dataset: SquadDataset,
  predictions: Record<string, string>,
  normalize: (text: string) => string,
): QaScore {
  if (!dataset || !Array.isArray(dataset.data)) {
    throw new CftkitError("QA_BAD_DATASET", "dataset must be SQuAD v1.1 JSON with a `data` array");
  }
  let f1 = 0;
  let em = 0;
  let total = 0;
  let answered = 0;
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs) {
      for (const qa of paragraph.qas) {
        total += 1;
        if (!Object.hasOwn(predictions, qa.id)) continue;
        answered += 1;
        const prediction = predictions[qa.id];
        if (typeof prediction !== "string") {
          throw new CftkitError("QA_BAD_PREDICTION", `prediction for question ${qa.id} is not a string`);
        }
        const predNorm = normalize(prediction);
        const predTokens = predNorm.split(" ").filter((t) => t.length > 0);
        let bestEm = 0;
        let bestF1 = 0;
        if (qa.answers.length === 0) {
          throw new CftkitError(
            "QA_NO_ANSWERS",
            `question ${qa.id} has no gold answers (max() of an empty list)`,
          );
        }
        for (const answer of qa.answers) {
          const truthNorm = normalize(answer.text);
          if (truthNorm === predNorm) bestEm = 1;
          const s = tokenF1(
            predTokens,
            truthNorm.split(" ").filter((t) => t.length > 0),
          );
          if (s > bestF1) bestF1 = s;
        }
        em += bestEm;
        f1 += bestF1;
      }
    }
  }
  if (total === 0) throw new CftkitError("QA_EMPTY_DATASET", "dataset has no questions");
  return { exact_match: (100.0 * em) / total, f1: (100.0 * f1) / total, count: total, answered };
}
