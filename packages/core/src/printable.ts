/**
 * User data quoted in a message (an error, a log line, a comment in a generated file) goes through here:
 * control characters (NUL, newline, escape sequences, …) and Unicode line/paragraph separators become
 * visible escapes, so a message is always one line of plain text and binary input cannot reach a terminal.
 * `maxLength` cuts long values (a 1 MB line quoted in an error helps nobody).
 */
export function printable(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
  return cut.replace(UNPRINTABLE, escapeChar);
}

// C0 controls, DEL, C1 controls, line/paragraph separators, BOM.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0" };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** True when the text holds a character `printable` would escape. */
export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  const found = UNPRINTABLE.test(text);
  UNPRINTABLE.lastIndex = 0;
  return found;
}

/** `printable` for multi-line messages: each line escaped, the line breaks between them kept. */
export function printableLines(text: string): string {
  return text
    .split("\n")
    .map((line) => printable(line))
    .join("\n");
}
