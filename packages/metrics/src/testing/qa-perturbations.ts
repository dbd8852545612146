// Seeded perturbed QA predictions for conformance tests and benchmarks (not part of the public API).
import { SeededRandom } from "@cftkit/core";
import type { SquadDataset } from "../qa-types.js";

const ARTICLES: Record<string, string[]> = {
  en: ["a", "an", "the", "The", "A"],
  es: ["el", "la", "los", "las", "un", "una", "unos", "unas", "El"],
  de: ["der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "eines", "einer", "Die"],
  vi: ["của", "là", "cái", "chiếc", "những", "Những"],
  ar: ["ال", "الكتاب", "و", "في"],
  zh: ["的", "了", "是"],
};
const PUNCT = [
  ".",
  ",",
  "!",
  "?",
  '"',
  "'",
  "(",
  ")",
  "«",
  "»",
  "¿",
  "¡",
  "、",
  "。",
  "，",
  "：",
  "“",
  "”",
  "—",
  "-",
  "…",
  "$",
  "+",
  "<",
  "=",
  "|",
  "~",
  "^",
  "`",
  "؟",
  "،",
  "।",
  "॥",
  "·",
  "‘",
  "’",
  "_",
  "%",
  "@",
  "#",
];
const SPACES = [" ", "  ", "\u00a0", "\u3000", "\t", "\n", "\u2009", "\u0085", "\u001f", "\ufeff", "\u200b"];

function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** One perturbed prediction per question (about 4% left unanswered), deterministic for a given seed. */
export function perturbedPredictions(
  dataset: SquadDataset,
  lang: string,
  seed: number,
): Record<string, string> {
  const rng = new SeededRandom(seed);
  const allAnswers: string[] = [];
  for (const a of dataset.data)
    for (const p of a.paragraphs)
      for (const q of p.qas) for (const ans of q.answers) allAnswers.push(ans.text);
  const out: Record<string, string> = {};
  const articles = ARTICLES[lang] ?? ARTICLES.en!;
  for (const a of dataset.data) {
    for (const p of a.paragraphs) {
      const context = p.context ?? "";
      const ctxWords = context.split(/\s+/).filter(Boolean);
      for (const q of p.qas) {
        const gold = q.answers[rng.int(q.answers.length)]?.text ?? "";
        const kind = rng.int(16);
        let pred: string;
        switch (kind) {
          case 0:
            pred = gold;
            break;
          case 1: {
            const chars = [...gold];
            const s = rng.int(Math.max(1, chars.length));
            const e = s + 1 + rng.int(Math.max(1, chars.length - s));
            pred = chars.slice(s, e).join("");
            break;
          }
          case 2: {
            const words = gold.split(" ");
            const s = rng.int(words.length);
            pred = words.slice(s, s + 1 + rng.int(words.length - s)).join(" ");
            break;
          }
          case 3:
            pred = `${pick(rng, ctxWords.length ? ctxWords : ["x"])} ${gold} ${pick(rng, ctxWords.length ? ctxWords : ["y"])}`;
            break;
          case 4:
            pred = `${pick(rng, PUNCT)}${gold}${pick(rng, PUNCT)}${pick(rng, PUNCT)}`;
            break;
          case 5:
            pred = `${pick(rng, articles)} ${gold}`;
            break;
          case 6:
            // articles glued to the answer: after a word ending in a combining mark (Hindi vowel signs) an English
            // article is still a whole word for Python's re, so the SQuAD rules remove it
            pred =
              rng.next() < 0.5
                ? `${pick(rng, articles)}${gold} ${pick(rng, articles)}`
                : `${gold}${pick(rng, ["the", "a", "an", ...articles])}`;
            break;
          case 7:
            pred = rng.next() < 0.5 ? gold.toUpperCase() : gold.toLowerCase();
            if (lang === "tr" && rng.next() < 0.5) pred = `İ${pred}I`;
            if (lang === "el" && rng.next() < 0.5) pred = `${pred}Σ ΣΑΣ`;
            break;
          case 8:
            pred = "";
            break;
          case 9:
            pred = pick(rng, allAnswers);
            break;
          case 10:
            pred = [...gold].map((c) => (c === " " ? pick(rng, SPACES) : c)).join("");
            break;
          case 11: {
            const ctxStart = rng.int(Math.max(1, ctxWords.length));
            pred = ctxWords.slice(ctxStart, ctxStart + 1 + rng.int(12)).join(" ");
            break;
          }
          case 12:
            pred = `${gold}${pick(rng, PUNCT)} ${gold}`;
            break;
          case 13: {
            // insert punctuation inside words and a combining mark
            const chars = [...gold];
            const at = rng.int(chars.length + 1);
            chars.splice(at, 0, pick(rng, [...PUNCT, "\u0301", "\u0308", "_"]));
            pred = chars.join("");
            break;
          }
          case 14:
            // an article followed by punctuation or by a combining mark (not a word character in Python's re)
            pred = `${pick(rng, articles)}${pick(rng, [...PUNCT, "\u0301", "\u0308", "\u093f", "\u0651"])}${pick(rng, ["", " "])}${gold}`;
            break;
          default:
            if (rng.next() < 0.3) continue; // unanswered
            pred = `${gold} ${gold.split(" ")[0] ?? ""}`;
        }
        out[q.id] = pred;
      }
    }
  }
  return out;
}
