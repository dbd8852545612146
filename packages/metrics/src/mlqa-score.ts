import { CftkitError } from "@cftkit/core/errors";
import { evaluateQa, type QaScore, type SquadDataset, tokenF1 } from "./qa-types.js";
import { pyLower, pySplit, pyWordBoundaryRegex } from "./python-text.js";

/** Languages `mlqa_evaluation_v1.py` knows; any other raises there, and here. */
export const MLQA_LANGUAGES = ["en", "es", "hi", "vi", "de", "ar", "zh"] as const;
export type MlqaLanguage = (typeof MLQA_LANGUAGES)[number];

// Unicode general category P* plus string.punctuation (which adds the ASCII symbols $+<=>^`|~).
const PUNCT_RE = /[\p{P}$+<=>^`|~]/u;
const PUNCT_RE_G = /[\p{P}$+<=>^`|~]/gu;
const CJK_RE = /[\u4e00-\u9fa5]/u;

const ARTICLES: Record<string, RegExp | null> = {
  en: pyWordBoundaryRegex(["a", "an", "the"]),
  es: pyWordBoundaryRegex(["un", "una", "unos", "unas", "el", "la", "los", "las"]),
  hi: null,
  vi: pyWordBoundaryRegex(["của", "là", "cái", "chiếc", "những"]),
  de: pyWordBoundaryRegex([
    "ein",
    "eine",
    "einen",
    "einem",
    "eines",
    "einer",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
  ]),
  // Official: re.sub('\sال^|ال', ' ', t). The first branch can never match (`^` after text, no MULTILINE), so
  // every "ال" is replaced by a space, even inside words.
  ar: /ال/gu,
  zh: null,
};

function assertLanguage(lang: string): asserts lang is MlqaLanguage {
  if (!(MLQA_LANGUAGES as readonly string[]).includes(lang)) {
    throw new CftkitError(
      "MLQA_UNKNOWN_LANGUAGE",
      `MLQA scorer: unknown language "${lang}" (the official script knows ${MLQA_LANGUAGES.join(", ")})`,
    );
  }
}

/** `mixed_segmentation`: each CJK ideograph [\u4e00-\u9fa5] and each punctuation char is a token; other runs split on whitespace. */
export function mixedSegmentation(text: string): string[] {
  const out: string[] = [];
  let temp = "";
  for (const ch of text) {
    if (CJK_RE.test(ch) || PUNCT_RE.test(ch)) {
      if (temp !== "") {
        out.push(...pySplit(temp));
        temp = "";
      }
      out.push(ch);
    } else temp += ch;
  }
  if (temp !== "") out.push(...pySplit(temp));
  return out;
}

/** MLQA `normalize_answer(s, lang)`: lower → remove punctuation → remove articles (per language) → whitespace fix / mixed segmentation. */
export function normalizeMlqaAnswer(text: string, lang: string): string {
  assertLanguage(lang);
  let s = pyLower(text).replace(PUNCT_RE_G, "");
  const articles = ARTICLES[lang];
  if (articles) s = s.replace(articles, " ");
  const tokens = lang === "zh" ? mixedSegmentation(s) : pySplit(s);
  // ' '.join(t for t in tokens if t.strip() != '') — tokens from split() are never blank.
  return tokens.join(" ");
}

export function mlqaExactMatch(prediction: string, truth: string, lang: string): boolean {
  return normalizeMlqaAnswer(prediction, lang) === normalizeMlqaAnswer(truth, lang);
}

export function mlqaF1(prediction: string, truth: string, lang: string): number {
  return tokenF1(pySplit(normalizeMlqaAnswer(prediction, lang)), pySplit(normalizeMlqaAnswer(truth, lang)));
}

/** Official MLQA EM/F1 (0-100) for answer language `lang`. */
export function scoreMlqa(dataset: SquadDataset, predictions: Record<string, string>, lang: string): QaScore {
  assertLanguage(lang);
  return evaluateQa(dataset, predictions, (t) => normalizeMlqaAnswer(t, lang));
}
