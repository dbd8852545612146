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

const PY_WORD_CHAR_RE = new RegExp(`^[${PY_WORD_CLASS}]$`, "u");

/** Python `s.split()` with no separator. */
export function pySplit(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (isPyWhitespaceCode(text.charCodeAt(i))) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

/** Python `str.isspace()` for one UTF-16 code unit (every Python whitespace character is in the BMP). */
export function isPyWhitespaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Python `s.strip()` with no argument. */
export function pyStrip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isPyWhitespaceCode(text.charCodeAt(a))) a++;
  while (b > a && isPyWhitespaceCode(text.charCodeAt(b - 1))) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
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
