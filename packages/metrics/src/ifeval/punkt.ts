/**
 * NLTK Punkt sentence tokenizer — the decision procedure of `nltk.tokenize.punkt.PunktSentenceTokenizer` (Kiss &
 * Strunk 2006) over pre-trained parameter tables (abbreviations, collocations, sentence starters, orthographic
 * context), reimplemented from the published algorithm and NLTK's documented behaviour:
 *
 * 1. candidate boundaries: every `.`, `?`, `!` followed by non-word punctuation or by whitespace and a token;
 *    the word before each candidate is found right-to-left and overlapping candidates are dropped;
 * 2. for each candidate, its context (word before + end char + what follows) is split into Punkt word tokens and
 *    annotated: first pass (sentence-end chars, ellipses, abbreviations incl. the part after the last hyphen,
 *    other period-final tokens are breaks), second pass on token pairs (collocation heuristic, abbreviation/ellipsis
 *    + orthographic heuristic or frequent sentence starter, initials/ordinals + orthographic heuristic and the
 *    special initial rule);
 * 3. a candidate is a boundary when any token but the last in its context is a sentence break;
 * 4. closing quotes/brackets after a boundary are realigned into the preceding sentence.
 *
 * Regular expressions follow Python `re` Unicode semantics (`\s`, `\w`, `\d` are Unicode; `$` is end of string).
 */
import { CftkitError } from "@cftkit/core/errors";
import { PY_WHITESPACE_CLASS as WS } from "../python-text.js";

export interface PunktParameters {
  abbrevTypes: Set<string>;
  /** "typ1\u0000typ2" */
  collocations: Set<string>;
  sentStarters: Set<string>;
  orthoContext: Map<string, number>;
}

let defaultTokenizer: PunktSentenceTokenizer | null = null;

const ORTHO_BEG_UC = 1 << 1;
const ORTHO_MID_UC = 1 << 2;
const ORTHO_UNK_UC = 1 << 3;
const ORTHO_BEG_LC = 1 << 4;
const ORTHO_MID_LC = 1 << 5;
const ORTHO_UNK_LC = 1 << 6;
const ORTHO_UC = ORTHO_BEG_UC + ORTHO_MID_UC + ORTHO_UNK_UC;
const ORTHO_LC = ORTHO_BEG_LC + ORTHO_MID_LC + ORTHO_UNK_LC;

let englishSource: (() => PunktParameters) | null = null;
let englishCache: PunktParameters | null = null;

/**
 * Where the English tables come from. The Node entry of @cftkit/metrics registers a reader of the package's own
 * `data/punkt_tab/english/`; a browser app passes tables it bundled or fetched (`parsePunktTables`).
 */
export function setEnglishPunktParameters(source: PunktParameters | (() => PunktParameters)): void {
  englishSource = typeof source === "function" ? source : () => source;
  englishCache = null;
  defaultTokenizer = null;
}

/** The English tables (read once, on first use). */
export function englishPunktParameters(): PunktParameters {
  if (englishCache) return englishCache;
  if (!englishSource) {
    throw new CftkitError(
      "PUNKT_TABLES_NOT_SET",
      "no English Punkt tables: call setEnglishPunktParameters(parsePunktTables({...})) with the four " +
        "data/punkt_tab/english/ files (the Node entry of @cftkit/metrics reads them itself)",
    );
  }
  englishCache = englishSource();
  return englishCache;
}

// ---- Punkt language variables (English defaults) ----
const NON_WORD = `(?:[)";}\\]*:@'({\\[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.[${WS}]){2,}\\.)`;
const WORD_START = `[^("\`{\\[:;&#*@)}\\]\\-,]`;
const S = `[${WS}]`;
const NS = `[^${WS}]`;
const WORD_TOKENIZER = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${NS}+?(?=${S}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${S}|${NON_WORD}|${MULTI_CHAR}))|${NS}`,
  "gu",
);
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(${NON_WORD}|${S}+(${NS}+)))`, "gdu");
const BOUNDARY_REALIGNMENT = new RegExp(`^["')\\]}]+?(?:${S}+|(?=--)|(?=\\n|(?![\\s\\S])))`, "u");
const RE_NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const RE_ELLIPSIS = /^\.\.+$/u;
// [^\W\d] in Python = word characters that are not decimal digits (Nd).
const RE_INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const RE_ALPHA = /^[\p{L}\p{Nl}\p{No}_]+$/u;
const RE_NON_PUNCT = /[\p{L}\p{Nl}\p{No}_]/u;
const SENT_END = new Set([".", "?", "!"]);
const PUNCTUATION = new Set([";", ":", ",", ".", "!", "?"]);

function isUpperChar(ch: string): boolean {
  return /\p{Uppercase}/u.test(ch) && !/[\p{Lowercase}\p{Lt}]/u.test(ch);
}
function isLowerChar(ch: string): boolean {
  return /\p{Lowercase}/u.test(ch) && !/[\p{Uppercase}\p{Lt}]/u.test(ch);
}

class Token {
  readonly tok: string;
  readonly type: string;
  readonly periodFinal: boolean;
  sentbreak = false;
  abbr = false;
  ellipsis = false;
  constructor(tok: string) {
    this.tok = tok;
    const lower = tok.toLowerCase();
    this.type = RE_NUMERIC.test(lower) ? "##number##" : lower;
    this.periodFinal = tok.endsWith(".");
  }
  get typeNoPeriod(): string {
    return this.type.length > 1 && this.type.endsWith(".") ? this.type.slice(0, -1) : this.type;
  }
  get typeNoSentperiod(): string {
    return this.sentbreak ? this.typeNoPeriod : this.type;
  }
  get firstChar(): string {
    return String.fromCodePoint(this.tok.codePointAt(0)!);
  }
  get firstUpper(): boolean {
    return isUpperChar(this.firstChar);
  }
  get firstLower(): boolean {
    return isLowerChar(this.firstChar);
  }
  get isEllipsis(): boolean {
    return RE_ELLIPSIS.test(this.tok);
  }
  get isNumber(): boolean {
    return this.type.startsWith("##number##");
  }
  get isInitial(): boolean {
    return RE_INITIAL.test(this.tok);
  }
  get isAlpha(): boolean {
    return RE_ALPHA.test(this.tok);
  }
  get isNonPunct(): boolean {
    return RE_NON_PUNCT.test(this.type);
  }
}

const EDGE_WS = new RegExp(`^${S}+|${S}+$`, "gu");
const IS_WS = new RegExp(`^${S}$`, "u");

function rstripWs(s: string): string {
  let end = s.length;
  while (end > 0 && IS_WS.test(s[end - 1]!)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Python `s.rsplit(maxsplit=1)`. */
function rsplitOnce(s: string): string[] {
  const t = rstripWs(s);
  if (t.length === 0) return [];
  let i = t.length - 1;
  while (i >= 0 && !IS_WS.test(t[i]!)) i--;
  if (i < 0) return [t];
  const last = t.slice(i + 1);
  const rest = rstripWs(t.slice(0, i));
  return rest.length === 0 ? [last] : [rest, last];
}

export class PunktSentenceTokenizer {
  constructor(private readonly params: PunktParameters = englishPunktParameters()) {}

  /** Punkt word tokens of `text` (line by line, as `_tokenize_words`). */
  wordTokens(text: string): string[] {
    const out: string[] = [];
    for (const line of text.split("\n")) {
      if (line.replace(EDGE_WS, "").length === 0) continue;
      for (const m of line.matchAll(WORD_TOKENIZER)) out.push(m[0]);
    }
    return out;
  }

  private firstPass(t: Token): void {
    const tok = t.tok;
    if (SENT_END.has(tok)) t.sentbreak = true;
    else if (t.isEllipsis) t.ellipsis = true;
    else if (t.periodFinal && !tok.endsWith("..")) {
      const stem = tok.slice(0, -1).toLowerCase();
      const parts = stem.split("-");
      if (this.params.abbrevTypes.has(stem) || this.params.abbrevTypes.has(parts[parts.length - 1]!))
        t.abbr = true;
      else t.sentbreak = true;
    }
  }

  private orthoHeuristic(t: Token): boolean | "unknown" {
    if (PUNCTUATION.has(t.tok)) return false;
    const ctx = this.params.orthoContext.get(t.typeNoSentperiod) ?? 0;
    if (t.firstUpper && ctx & ORTHO_LC && !(ctx & ORTHO_MID_UC)) return true;
    if (t.firstLower && (ctx & ORTHO_UC || !(ctx & ORTHO_BEG_LC))) return false;
    return "unknown";
  }

  private secondPass(t1: Token, t2: Token | undefined): void {
    if (!t2) return;
    if (!t1.periodFinal) return;
    const typ = t1.typeNoPeriod;
    const nextTyp = t2.typeNoSentperiod;
    const isInitial = t1.isInitial;
    if (this.params.collocations.has(`${typ}\u0000${nextTyp}`)) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if ((t1.abbr || t1.ellipsis) && !isInitial) {
      const starter = this.orthoHeuristic(t2);
      if (starter === true) {
        t1.sentbreak = true;
        return;
      }
      if (t2.firstUpper && this.params.sentStarters.has(nextTyp)) {
        t1.sentbreak = true;
        return;
      }
    }
    if (isInitial || typ === "##number##") {
      const starter = this.orthoHeuristic(t2);
      if (starter === false) {
        t1.sentbreak = false;
        t1.abbr = true;
        return;
      }
      if (
        starter === "unknown" &&
        isInitial &&
        t2.firstUpper &&
        !((this.params.orthoContext.get(nextTyp) ?? 0) & ORTHO_LC)
      ) {
        t1.sentbreak = false;
        t1.abbr = true;
      }
    }
  }

  /** Annotated tokens (both passes) of a piece of text. */
  private annotate(text: string): Token[] {
    const tokens = this.wordTokens(text).map((w) => new Token(w));
    for (const t of tokens) this.firstPass(t);
    for (let i = 0; i < tokens.length; i++) this.secondPass(tokens[i]!, tokens[i + 1]);
    return tokens;
  }

  private textContainsSentbreak(text: string): boolean {
    const tokens = this.annotate(text);
    for (let i = 0; i < tokens.length - 1; i++) if (tokens[i]!.sentbreak) return true;
    return false;
  }

  private potentialEndContexts(
    text: string,
  ): { end: number; nextTokStart: number | null; context: string }[] {
    const all = [...text.matchAll(PERIOD_CONTEXT)];
    const picked: { end: number; nextTokStart: number | null; context: string }[] = [];
    let beforeStart = 0;
    for (let k = all.length - 1; k >= 0; k--) {
      const m = all[k]!;
      const start = m.index;
      const end = start + m[0].length;
      if (picked.length > 0 && end > beforeStart) continue;
      const split = rsplitOnce(text.slice(0, start));
      beforeStart = split.length === 2 ? split[0]!.length : 0;
      const before = split.length > 0 ? split[split.length - 1]! : "";
      const idx = m.indices?.[2];
      picked.push({ end, nextTokStart: idx ? idx[0] : null, context: before + m[0] + (m[1] ?? "") });
    }
    return picked.reverse();
  }

  /** Sentence spans [start, end) with boundary realignment (NLTK's default `realign_boundaries=True`). */
  spans(text: string): [number, number][] {
    const slices: [number, number][] = [];
    let lastBreak = 0;
    for (const c of this.potentialEndContexts(text)) {
      if (this.textContainsSentbreak(c.context)) {
        slices.push([lastBreak, c.end]);
        lastBreak = c.nextTokStart ?? c.end;
      }
    }
    slices.push([lastBreak, rstripWs(text).length]);
    const out: [number, number][] = [];
    let realign = 0;
    for (let i = 0; i < slices.length; i++) {
      const s1: [number, number] = [slices[i]![0] + realign, slices[i]![1]];
      const s2 = slices[i + 1];
      if (!s2) {
        if (s1[1] > s1[0]) out.push(s1);
        continue;
      }
      const m = BOUNDARY_REALIGNMENT.exec(text.slice(s2[0], s2[1]));
      if (m) {
        out.push([s1[0], s2[0] + rstripWs(m[0]).length]);
        realign = m[0].length;
      } else {
        realign = 0;
        if (s1[1] > s1[0]) out.push(s1);
      }
    }
    return out;
  }

  tokenize(text: string): string[] {
    return this.spans(text).map(([s, e]) => text.slice(s, e));
  }
}

/** `nltk.sent_tokenize(text)` with the English tables. */
export function sentTokenize(text: string): string[] {
  defaultTokenizer ??= new PunktSentenceTokenizer();
  return defaultTokenizer.tokenize(text);
}
