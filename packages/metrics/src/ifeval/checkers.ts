/**
 * The 25 IFEval instruction checkers (google-research `instruction_following_eval`, `instructions.py`), with their
 * kwargs, reimplemented with Python `re`/`str` semantics: `\s`, `\w`, `\d`, `\b` are Unicode; `.` is anything but
 * "\n"; `^`/`$` in MULTILINE mode only see "\n"; `str.strip()` strips Unicode whitespace.
 */
import { CftkitError } from "@cftkit/core/errors";
import {
  PY_WHITESPACE_CLASS,
  PY_WORD_CLASS,
  pyIsLower,
  pyIsUpper,
  pyLower,
  pySplit,
  pyStrip,
} from "../python-text.js";
import { languageMatches as languageIs } from "./language-detect.js";
import { sentTokenize } from "./punkt.js";
import { wordTokenize } from "./word-tokenize.js";

export type IfevalKwargs = Record<string, unknown>;
export type InstructionChecker = (response: string, kwargs: IfevalKwargs) => boolean;

const S = `[${PY_WHITESPACE_CLASS}]`;
const W = `[${PY_WORD_CLASS}]`;
const NOT_W = `[^${PY_WORD_CLASS}]`;
const BOUNDARY = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;
// MULTILINE ^ and $ that only know "\n" (JavaScript's also break at \r, \u2028, \u2029).
const ML_START = "(?<=^|\\n)";
const ML_END = "(?=\\n|$)";

/**
 * Translate a (simple) Python regular expression to a JavaScript one with Python's Unicode meaning of the
 * shorthand classes; used where the official code feeds a kwarg straight into `re` (keywords, section splitter).
 */
export function pythonPattern(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
      i++;
      if (n === "b") {
        // \b next to a literal word character only needs to look at the other side.
        const prev =
          out.length > 0 && /^[\p{L}\p{N}_]$/u.test(pattern[i - 2] ?? "") && pattern[i - 3] !== "\\";
        const next = /^[\p{L}\p{N}_]$/u.test(pattern[i + 1] ?? "");
        out += next && !prev ? `(?<!${W})` : prev && !next ? `(?!${W})` : BOUNDARY;
      } else if (n === "w") out += W;
      else if (n === "W") out += NOT_W;
      else if (n === "s") out += S;
      else if (n === "S") out += `[^${PY_WHITESPACE_CLASS}]`;
      else if (n === "d") out += "\\p{Nd}";
      else if (n === "D") out += "\\P{Nd}";
      else out += `\\${n}`;
    } else if (c === ".") out += "[^\\n]";
    else out += c;
  }
  return out;
}

const regexCache = new Map<string, RegExp>();

/** A compiled (and cached) JavaScript regex for a Python pattern; a pattern JavaScript rejects matches literally. */
function pyRegex(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pythonPattern(pattern), `${flags}u`);
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), `${flags}u`);
    }
    if (regexCache.size > 1024) regexCache.clear();
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

function str(kwargs: IfevalKwargs, key: string): string {
  const v = kwargs[key];
  if (typeof v !== "string")
    throw new CftkitError("IFEVAL_BAD_KWARGS", `kwarg "${key}" must be a string, got ${JSON.stringify(v)}`);
  return v;
}
function num(kwargs: IfevalKwargs, key: string): number {
  const v = kwargs[key];
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new CftkitError("IFEVAL_BAD_KWARGS", `kwarg "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}
function strList(kwargs: IfevalKwargs, key: string): string[] {
  const v = kwargs[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new CftkitError(
      "IFEVAL_BAD_KWARGS",
      `kwarg "${key}" must be a list of strings, got ${JSON.stringify(v)}`,
    );
  }
  return v as string[];
}
function relation(kwargs: IfevalKwargs, key: string): "less than" | "at least" {
  const r = str(kwargs, key);
  if (r !== "less than" && r !== "at least") {
    throw new CftkitError(
      "IFEVAL_BAD_KWARGS",
      `The supported relation for comparison must be in ('less than', 'at least'), but ${r} is given.`,
    );
  }
  return r;
}
function compare(actual: number, rel: "less than" | "at least", threshold: number): boolean {
  return rel === "less than" ? actual < threshold : actual >= threshold;
}
/** Python str.strip(chars) for a set of plain characters. */
function stripChars(s: string, chars: string, left = true, right = true): string {
  let a = 0;
  let b = s.length;
  if (left) while (a < b && chars.includes(s[a]!)) a++;
  if (right) while (b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
function countMatches(re: RegExp, text: string): number {
  let n = 0;
  for (const _ of text.matchAll(re)) n++;
  return n;
}

const PLACEHOLDER = /\[[^\n]*?\]/gu;
const BULLET_STAR = new RegExp(`${ML_START}${S}*\\*[^*][^\\n]*${ML_END}`, "gu");
const BULLET_DASH = new RegExp(`${ML_START}${S}*-[^\\n]*${ML_END}`, "gu");
const HIGHLIGHT = /\*[^\n*]*\*/gu;
const DOUBLE_HIGHLIGHT = /\*\*[^\n*]*\*\*/gu;
const PARAGRAPH_DIVIDER = new RegExp(`${S}?\\*\\*\\*${S}?`, "u");
const TITLE = /<<[^\n]+>>/gu;
const WORDS = new RegExp(`${W}+`, "gu");
const ASCII_WORDS = /[A-Za-z0-9_]+/g;

export const CHECKERS: Record<string, InstructionChecker> = {
  "keywords:existence": (value, kw) => strList(kw, "keywords").every((k) => pyRegex(k, "i").test(value)),
  "keywords:frequency": (value, kw) =>
    compare(
      countMatches(pyRegex(pyStrip(str(kw, "keyword")), "gi"), value),
      relation(kw, "relation"),
      num(kw, "frequency"),
    ),
  "keywords:forbidden_words": (value, kw) =>
    !strList(kw, "forbidden_words").some((w) => pyRegex(`\\b${w}\\b`, "i").test(value)),
  "keywords:letter_frequency": (value, kw) => {
    const letter = pyLower(pyStrip(str(kw, "letter")));
    let count = 0;
    for (const ch of pyLower(value)) if (ch === letter) count++;
    return compare(count, relation(kw, "let_relation"), num(kw, "let_frequency"));
  },
  "language:response_language": (value, kw) => languageIs(value, str(kw, "language")),
  "length_constraints:number_sentences": (value, kw) =>
    compare(sentTokenize(value).length, relation(kw, "relation"), num(kw, "num_sentences")),
  "length_constraints:number_paragraphs": (value, kw) => {
    const paragraphs = value.split(PARAGRAPH_DIVIDER);
    let n = paragraphs.length;
    for (const [i, p] of paragraphs.entries()) {
      if (!pyStrip(p)) {
        if (i === 0 || i === paragraphs.length - 1) n--;
        else return false;
      }
    }
    return n === num(kw, "num_paragraphs");
  },
  "length_constraints:number_words": (value, kw) =>
    // ASCII text: the same \w runs, without Unicode property lookups.
    compare(
      countMatches(/^[\x00-\x7f]*$/.test(value) ? ASCII_WORDS : WORDS, value),
      relation(kw, "relation"),
      num(kw, "num_words"),
    ),
  "length_constraints:nth_paragraph_first_word": (value, kw) => {
    const paragraphs = value.split("\n\n");
    let n = paragraphs.length;
    for (const p of paragraphs) if (!pyStrip(p)) n--;
    const nth = num(kw, "nth_paragraph");
    if (nth > n) return false;
    const paragraph = pyStrip(paragraphs[nth - 1] ?? "");
    if (!paragraph) return false;
    let word = pyStrip(pySplit(paragraph)[0] ?? "");
    word = stripChars(word, "'", true, false);
    word = stripChars(word, '"', true, false);
    const punctuation = new Set([".", ",", "?", "!", "'", '"']);
    let first = "";
    for (const ch of word) {
      if (punctuation.has(ch)) break;
      first += pyLower(ch);
    }
    return n === num(kw, "num_paragraphs") && first === pyLower(str(kw, "first_word"));
  },
  "detectable_content:number_placeholders": (value, kw) =>
    countMatches(PLACEHOLDER, value) >= num(kw, "num_placeholders"),
  "detectable_content:postscript": (value, kw) => {
    const marker = pyStrip(str(kw, "postscript_marker"));
    const lower = pyLower(value);
    let pattern: string;
    if (marker === "P.P.S") pattern = `${S}*p\\.${S}?p\\.${S}?s[^\\n]*${ML_END}`;
    else if (marker === "P.S.") pattern = `${S}*p\\.${S}?s\\.[^\\n]*${ML_END}`;
    else pattern = `${S}*${pythonPattern(pyLower(marker))}[^\\n]*${ML_END}`;
    return new RegExp(pattern, "u").test(lower);
  },
  "detectable_format:number_bullet_lists": (value, kw) =>
    countMatches(BULLET_STAR, value) + countMatches(BULLET_DASH, value) === num(kw, "num_bullets"),
  "detectable_format:constrained_response": (value) => {
    const v = pyStrip(value);
    return ["My answer is yes.", "My answer is no.", "My answer is maybe."].some((o) => v.includes(o));
  },
  "detectable_format:number_highlighted_sections": (value, kw) => {
    let n = 0;
    for (const m of value.matchAll(HIGHLIGHT)) if (pyStrip(stripChars(m[0], "*"))) n++;
    for (const m of value.matchAll(DOUBLE_HIGHLIGHT)) if (pyStrip(m[0].slice(2, -2))) n++;
    return n >= num(kw, "num_highlights");
  },
  "detectable_format:multiple_sections": (value, kw) => {
    const splitter = pyStrip(str(kw, "section_spliter"));
    const re = new RegExp(`${S}?${pythonPattern(splitter)}${S}?\\p{Nd}+${S}?`, "u");
    return value.split(re).length - 1 >= num(kw, "num_sections");
  },
  "detectable_format:json_format": (value) => {
    let v = pyStrip(value);
    for (const prefix of ["```json", "```Json", "```JSON", "```"])
      if (v.startsWith(prefix)) v = v.slice(prefix.length);
    if (v.endsWith("```")) v = v.slice(0, -3);
    v = pyStrip(v);
    return isPythonJson(v);
  },
  "detectable_format:title": (value) => {
    for (const m of value.matchAll(TITLE)) {
      if (pyStrip(stripChars(stripChars(m[0], "<", true, false), ">", false, true))) return true;
    }
    return false;
  },
  "combination:two_responses": (value) => {
    const valid: string[] = [];
    const responses = value.split("******");
    for (const [i, r] of responses.entries()) {
      if (!pyStrip(r)) {
        if (i !== 0 && i !== responses.length - 1) return false;
      } else valid.push(r);
    }
    return valid.length === 2 && pyStrip(valid[0]!) !== pyStrip(valid[1]!);
  },
  "combination:repeat_prompt": (value, kw) =>
    pyLower(pyStrip(value)).startsWith(pyLower(pyStrip(str(kw, "prompt_to_repeat")))),
  "startend:end_checker": (value, kw) =>
    pyLower(stripChars(pyStrip(value), '"')).endsWith(pyLower(pyStrip(str(kw, "end_phrase")))),
  "change_case:capital_word_frequency": (value, kw) => {
    const count = wordTokenize(value).filter(pyIsUpper).length;
    return compare(count, relation(kw, "capital_relation"), num(kw, "capital_frequency"));
  },
  "change_case:english_capital": (value) => pyIsUpper(value) && languageIs(value, "en"),
  "change_case:english_lowercase": (value) => pyIsLower(value) && languageIs(value, "en"),
  "punctuation:no_comma": (value) => !value.includes(","),
  "startend:quotation": (value) => {
    const v = pyStrip(value);
    return v.length > 1 && v[0] === '"' && v[v.length - 1] === '"';
  },
};

export const INSTRUCTION_IDS = Object.keys(CHECKERS);

/** `json.loads` acceptance: JSON plus Python's extra constants NaN, Infinity, -Infinity. */
function isPythonJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    if (!/NaN|Infinity/.test(text)) return false;
    try {
      JSON.parse(
        text.replace(/("(?:[^"\\]|\\.)*")|-?Infinity|NaN/g, (_m, s: string | undefined) => s ?? "0"),
      );
      return true;
    } catch {
      return false;
    }
  }
}

/** Run one checker; unknown ids are bad input. */
export function checkInstruction(instructionId: string, response: string, kwargs: IfevalKwargs): boolean {
  const checker = CHECKERS[instructionId];
  if (!checker)
    throw new CftkitError("IFEVAL_UNKNOWN_INSTRUCTION", `unknown IFEval instruction id "${instructionId}"`);
  const clean: IfevalKwargs = {};
  for (const [k, v] of Object.entries(kwargs)) if (v !== null && v !== undefined) clean[k] = v;
  return checker(response, clean);
}
