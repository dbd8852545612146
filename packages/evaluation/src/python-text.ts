/**
 * Small emulations of Python 3 `str` / `re` semantics that the official scorers rely on and JavaScript does not share.
 *
 * - Python's `str.split()` (no argument) splits on Unicode whitespace as `str.isspace()` defines it, which differs
 *   from JavaScript's `\s` (Python includes U+001C..U+001F and U+0085; JavaScript includes U+FEFF).
 * - Python's `re` `\w` (str patterns) is `str.isalnum() or "_"`: letters (L*) and numeric characters (N*). Combining
 *   marks (M*) are NOT word characters in Python, and JavaScript's `\w`/`\b` are ASCII-only even with the `u` flag.
 * - `str.isupper()` / `str.islower()`: at least one cased character and no cased character of the other case
 *   (titlecase letters count against both).
 */

/** Character class body (without brackets) of Python's whitespace (`str.isspace()`). */
export const PY_WHITESPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/** Character class body (without brackets) of Python's `\w` for str patterns. */
export const PY_WORD_CLASS = "\\p{L}\\p{N}_";

const PY_WS_RE = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, "u");
const PY_WS_EDGE_RE = new RegExp(`^[${PY_WHITESPACE_CLASS}]+|[${PY_WHITESPACE_CLASS}]+$`, "gu");
const PY_WORD_CHAR_RE = new RegExp(`^[${PY_WORD_CLASS}]$`, "u");

/** Python `s.split()` with no separator. */
export function pySplit(text: string): string[] {
  if (text.length === 0) return [];
  const parts = text.split(PY_WS_RE);
  const out: string[] = [];
  for (const p of parts) if (p.length > 0) out.push(p);
  return out;
}

/** Python `s.strip()` with no argument. */
export function pyStrip(text: string): string {
  return text.replace(PY_WS_EDGE_RE, "");
}

/** Python `str.isalnum() or c == "_"` for one code point. */
export function isPyWordChar(ch: string): boolean {
  return PY_WORD_CHAR_RE.test(ch);
}

/** Python `str.lower()`. JavaScript's `toLowerCase()` applies the same unconditional Unicode SpecialCasing mappings (e.g. 'İ' → 'i̇') and the Final_Sigma rule, which CPython ≥ 3.3 also applies. */
export function pyLower(text: string): string {
  return text.toLowerCase();
}

const LOWER_OR_TITLE = /[\p{Lowercase}\p{Lt}]/u;
const UPPER_OR_TITLE = /[\p{Uppercase}\p{Lt}]/u;
const UPPER = /\p{Uppercase}/u;
const LOWER = /\p{Lowercase}/u;

/** Python `str.isupper()`. */
export function pyIsUpper(text: string): boolean {
  return UPPER.test(text) && !LOWER_OR_TITLE.test(text);
}

/** Python `str.islower()`. */
export function pyIsLower(text: string): boolean {
  return LOWER.test(text) && !UPPER_OR_TITLE.test(text);
}

/**
 * Replace every whole-word occurrence (Python `re` `\b(w1|w2|...)\b` semantics, Unicode word characters) of one of
 * `words` in `text` by `replacement`. Implemented with lookbehind/lookahead on Python's `\w` class.
 */
export function pyWordBoundaryRegex(alternatives: string[], flags = "gu"): RegExp {
  const alt = alternatives.map(escapeRegExp).join("|");
  return new RegExp(`(?<![${PY_WORD_CLASS}])(?:${alt})(?![${PY_WORD_CLASS}])`, flags);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
