/**
 * `nltk.word_tokenize(text)` as NLTK 3.8 does it (checked token for token against Debian's python3-nltk 3.8 on
 * every IFEval response variant; NLTK ≥ 3.9 changed the leading-quote rule and added whitespace and dash rules): Punkt sentence split, then NLTK's improved Treebank word
 * tokenizer (`NLTKWordTokenizer`) on each sentence. Regular expressions use Python `re` Unicode semantics.
 */
import { PY_WORD_CLASS as W } from "../python-text.js";
import { sentTokenize } from "./punkt.js";

type Sub = [RegExp, string];

const STARTING_QUOTES: Sub[] = [
  [/([«“‘„]|[`]+)/gu, " $1 "],
  [/^"/u, "``"],
  [/(``)/gu, " $1 "],
  [/([ ([{<])("|'{2})/gu, "$1 `` "],
  // (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b → "\1 \2": a quote before a one-character word ("'I" → "'", "I").
  [
    new RegExp(`(')(?!re|ve|ll|m|t|s|d|n)([${W}])(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`, "giu"),
    "$1 $2",
  ],
];

const ENDING_QUOTES: Sub[] = [
  [/([»”’])/gu, " $1 "],
  [/''/gu, " '' "],
  [/"/gu, " '' "],
  [/([^' ])('[sS]|'[mM]|'[dD]|') /gu, "$1 $2 "],
  [/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /gu, "$1 $2 "],
];

const WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PUNCTUATION: Sub[] = [
  [new RegExp(`([^.])(\\.)([\\])}>"'»”’ ]*)${WS}*$`, "u"), "$1 $2 $3 "],
  [/([:,])([^\p{Nd}])/gu, " $1 $2"],
  [/([:,])$/u, " $1 "],
  [/\.{2,}/gu, " $& "],
  [/[;@#$%&]/gu, " $& "],
  [new RegExp(`([^.])(\\.)([\\])}>"']*)${WS}*$`, "u"), "$1 $2$3 "],
  [/[?!]/gu, " $& "],
  [/([^'])' /gu, "$1 ' "],
  [/[*]/gu, " $& "],
];

const PARENS_BRACKETS: Sub = [/[\][(){}<>]/gu, " $& "];
const DOUBLE_DASHES: Sub = [/--/gu, " -- "];

const b = (inner: string) =>
  `(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))${inner}(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`;
const CONTRACTIONS2: RegExp[] = [
  ["can", "not"],
  ["d", "'ye"],
  ["gim", "me"],
  ["gon", "na"],
  ["got", "ta"],
  ["lem", "me"],
  ["more", "'n"],
].map(([x, y]) => new RegExp(b(`(${x})(${y})`), "giu"));
CONTRACTIONS2.push(new RegExp(`(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))(wan)(na)(?=${WS})`, "giu"));
const CONTRACTIONS3: RegExp[] = [
  new RegExp(` ('t)(is)(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`, "giu"),
  new RegExp(` ('t)(was)(?:(?<=[${W}])(?![${W}])|(?<![${W}])(?=[${W}]))`, "giu"),
];

/** `NLTKWordTokenizer().tokenize(sentence)`. */
export function treebankWordTokenize(sentence: string): string[] {
  let text = sentence;
  for (const [re, sub] of STARTING_QUOTES) text = text.replace(re, sub);
  for (const [re, sub] of PUNCTUATION) text = text.replace(re, sub);
  text = text.replace(PARENS_BRACKETS[0], PARENS_BRACKETS[1]);
  text = text.replace(DOUBLE_DASHES[0], DOUBLE_DASHES[1]);
  text = ` ${text} `;
  for (const [re, sub] of ENDING_QUOTES) text = text.replace(re, sub);
  for (const re of CONTRACTIONS2) text = text.replace(re, " $1 $2 ");
  for (const re of CONTRACTIONS3) text = text.replace(re, " $1 $2 ");
  return text.split(new RegExp(`${WS}+`, "u")).filter((t) => t.length > 0);
}

/** `nltk.word_tokenize(text)` (English). */
export function wordTokenize(text: string): string[] {
  const out: string[] = [];
  for (const sentence of sentTokenize(text)) out.push(...treebankWordTokenize(sentence));
  return out;
}
