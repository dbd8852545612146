import { CftkitError } from "@cftkit/core/errors";
import { porterStem } from "./porter-stemmer.js";

/** Precision / recall / F1 of one ROUGE type, all in [0, 1]. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}
export interface RougeScores {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rougeL: RougeScore;
}

export interface RougeOptions {
  /** Porter stemmer (NLTK extensions mode) on tokens longer than 3 characters, as `rouge_score` does. Default false. */
  stem?: boolean;
  /**
   * "en" (default): Google `rouge_score`'s tokenizer — lower-case, every run of characters outside [a-z0-9] becomes a
   * space, so non-ASCII letters are deleted. "multilingual": an XL-Sum-style tokenizer for other scripts (see
   * {@link tokenizeMultilingual}); it is NOT byte-identical to csebuetnlp's scorer (which also runs jieba/MeCab and
   * per-language stemmers).
   */
  mode?: "en" | "multilingual";
}

const NON_ALNUM = /[^a-z0-9]+/g;
const VALID = /^[a-z0-9]+$/;

/** `rouge_score.tokenize.tokenize(text, stemmer)`. */
export function tokenizeRouge(text: string, stem = false): string[] {
  const lowered = text.toLowerCase().replace(NON_ALNUM, " ");
  let tokens = lowered.split(/\s+/);
  if (stem) tokens = tokens.map((t) => (t.length > 3 ? porterStem(t) : t));
  return tokens.filter((t) => VALID.test(t));
}

const PUNCT_OR_SYMBOL = /[\p{P}\p{S}]/gu;
// Scripts written without spaces between words: each character is its own token.
const SEGMENT_PER_CHAR =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/**
 * XL-Sum-style multilingual tokenizer: lower-case; every Unicode punctuation/symbol character becomes a space
 * (punctuation splitting); whitespace split; then every character of a script written without spaces (Han, kana,
 * Thai, Lao, Khmer, Myanmar) becomes its own token. Letters of every script are kept (no ASCII-only deletion).
 * With `stem`, tokens made only of [a-z] longer than 3 characters go through the Porter stemmer.
 */
export function tokenizeMultilingual(text: string, stem = false): string[] {
  const pieces = text.toLowerCase().replace(PUNCT_OR_SYMBOL, " ").split(/\s+/u);
  const out: string[] = [];
  for (const piece of pieces) {
    if (!piece) continue;
    let run = "";
    for (const ch of piece) {
      if (SEGMENT_PER_CHAR.test(ch)) {
        if (run) out.push(run);
        run = "";
        out.push(ch);
      } else run += ch;
    }
    if (run) out.push(run);
  }
  return stem ? out.map((t) => (t.length > 3 && /^[a-z]+$/.test(t) ? porterStem(t) : t)) : out;
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramCounts(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i]! : tokens.slice(i, i + n).join("\u0000");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** ROUGE-N as `rouge_score._score_ngrams`: overlap = Σ min(count); P = overlap/max(pred,1), R = overlap/max(target,1). */
export function rougeN(targetTokens: string[], predictionTokens: string[], n: number): RougeScore {
  const t = ngramCounts(targetTokens, n);
  const p = ngramCounts(predictionTokens, n);
  let overlap = 0;
  for (const [k, c] of p) {
    const tc = t.get(k);
    if (tc !== undefined) overlap += Math.min(c, tc);
  }
  let tCount = 0;
  for (const c of t.values()) tCount += c;
  let pCount = 0;
  for (const c of p.values()) pCount += c;
  const precision = overlap / Math.max(pCount, 1);
  const recall = overlap / Math.max(tCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Length of the longest common subsequence (two-row dynamic programme). */
export function lcsLength(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ai === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** ROUGE-L (sentence level) as `rouge_score._score_lcs`: P = LCS/|pred|, R = LCS/|target|; 0 when either is empty. */
export function rougeL(targetTokens: string[], predictionTokens: string[]): RougeScore {
  if (targetTokens.length === 0 || predictionTokens.length === 0)
    return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(targetTokens, predictionTokens);
  const precision = lcs / predictionTokens.length;
  const recall = lcs / targetTokens.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** ROUGE-1/2/L of one prediction against one reference (`RougeScorer.score(target, prediction)` argument order). */
export function rougeScore(target: string, prediction: string, options: RougeOptions = {}): RougeScores {
  const tokenize = options.mode === "multilingual" ? tokenizeMultilingual : tokenizeRouge;
  const t = tokenize(target, options.stem ?? false);
  const p = tokenize(prediction, options.stem ?? false);
  return { rouge1: rougeN(t, p, 1), rouge2: rougeN(t, p, 2), rougeL: rougeL(t, p) };
}

/** Corpus summary: the mean of each P/R/F over pairs (what XL-Sum reports, × 100 there). */
export function rougeCorpus(
  targets: string[],
  predictions: string[],
  options: RougeOptions = {},
): RougeScores & { count: number } {
  if (targets.length !== predictions.length) {
    throw new CftkitError(
      "ROUGE_LENGTH_MISMATCH",
      `${predictions.length} predictions but ${targets.length} references: they must pair up line by line`,
    );
  }
  const sum = { rouge1: zero(), rouge2: zero(), rougeL: zero() };
  for (let i = 0; i < targets.length; i++) {
    const s = rougeScore(targets[i]!, predictions[i]!, options);
    for (const key of ["rouge1", "rouge2", "rougeL"] as const) {
      sum[key].precision += s[key].precision;
      sum[key].recall += s[key].recall;
      sum[key].fmeasure += s[key].fmeasure;
    }
  }
  const n = Math.max(targets.length, 1);
  const mean = (r: RougeScore): RougeScore => ({
    precision: r.precision / n,
    recall: r.recall / n,
    fmeasure: r.fmeasure / n,
  });
  return {
    rouge1: mean(sum.rouge1),
    rouge2: mean(sum.rouge2),
    rougeL: mean(sum.rougeL),
    count: targets.length,
  };
}

function zero(): RougeScore {
  return { precision: 0, recall: 0, fmeasure: 0 };
}
