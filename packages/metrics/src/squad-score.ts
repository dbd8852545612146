import { evaluateQa, type QaScore, type SquadDataset, tokenF1 } from "./qa-types.js";
import { pyLower, pySplit, pyWordBoundaryRegex } from "./python-text.js";

// string.punctuation
const ASCII_PUNCT = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const EN_ARTICLES = pyWordBoundaryRegex(["a", "an", "the"]);

/**
 * SQuAD v1.1 `normalize_answer` (evaluate-v1.1.py): lower → drop `string.punctuation` → `\b(a|an|the)\b` → " " →
 * collapse whitespace. `\b` follows Python's Unicode word definition.
 */
export function normalizeSquadAnswer(text: string): string {
  let s = pyLower(text);
  let out = "";
  for (const ch of s) if (!ASCII_PUNCT.has(ch)) out += ch;
  s = out.replace(EN_ARTICLES, " ");
  return pySplit(s).join(" ");
}

export function squadExactMatch(prediction: string, truth: string): boolean {
  return normalizeSquadAnswer(prediction) === normalizeSquadAnswer(truth);
}

export function squadF1(prediction: string, truth: string): number {
  return tokenF1(pySplit(normalizeSquadAnswer(prediction)), pySplit(normalizeSquadAnswer(truth)));
}

/** Official SQuAD v1.1 EM/F1 (0-100) of `predictions` (`{id: answer}`) against a SQuAD-layout dataset. */
export function scoreSquad(dataset: SquadDataset, predictions: Record<string, string>): QaScore {
  return evaluateQa(dataset, predictions, normalizeSquadAnswer);
}
