/**
 * Incremental splitter for a top-level JSON array: feed text chunks, get back the source text of each
 * element (with the line it starts on) without parsing the whole document, so a multi-GB `[...]` file
 * streams with bounded memory. Elements are parsed later with `JSON.parse`.
 */
export interface ScannedElement {
  text: string;
  line: number;
  index: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const NEWLINE = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class JsonArrayScanner {
  /** 0 before `[`; 1 inside the array between elements; > 1 inside a nested element. */
  private depth = 0;
  private started = false;
  private finished = false;
  private inString = false;
  private escape = false;
  private inElement = false;
  private primitive = false;
  private parts: string[] = [];
  private elementLine = 0;
  private line = 1;
  private index = 0;
  /** Non-whitespace text after the closing `]`. */
  trailingGarbage = false;

  /** True once the closing `]` of the top-level array was seen. */
  get complete(): boolean {
    return this.finished;
  }

  /** True when the input ended inside an element (a truncated array). */
  get insideElement(): boolean {
    return this.inElement;
  }

  /** True once the opening `[` was seen. */
  get isStarted(): boolean {
    return this.started;
  }

  get currentLine(): number {
    return this.line;
  }

  get elementStartLine(): number {
    return this.elementLine;
  }

  get elementsSeen(): number {
    return this.index;
  }

  /**
   * Feed the next chunk; returns the elements it completed. Throws when the document does not start
   * with `[` (the caller handles other layouts).
   */
  push(chunk: string): ScannedElement[] {
    const out: ScannedElement[] = [];
    let start = this.inElement ? 0 : -1;
    const n = chunk.length;
    // Next `"` and `\` at or after i (-1: none left in this chunk), so string bodies are skipped with indexOf.
    let nextQuote = -2;
    let nextBackslash = -2;
    for (let i = 0; i < n; i++) {
      if (this.inString && !this.escape) {
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf('"', i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf("\\", i);
        const next =
          nextQuote === -1
            ? nextBackslash
            : nextBackslash === -1
              ? nextQuote
              : Math.min(nextQuote, nextBackslash);
        if (next === -1) break; // the string goes on into the next chunk (raw newlines cannot occur in JSON strings)
        i = next;
      }
      const c = chunk.charCodeAt(i);
      if (c === NEWLINE) this.line++;
      if (this.finished) {
        if (!isSpace(c)) this.trailingGarbage = true;
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.primitive && this.depth === 1) {
            out.push(this.finish(chunk, start, i + 1));
            start = -1;
          }
        }
        continue;
      }
      if (!this.started) {
        if (isSpace(c) || c === 0xfeff) continue;
        if (c !== OPEN_BRACKET) throw new SyntaxError("not a JSON array");
        this.started = true;
        this.depth = 1;
        continue;
      }
      if (!this.inElement) {
        if (isSpace(c) || c === COMMA) continue;
        if (c === CLOSE_BRACKET) {
          this.depth = 0;
          this.finished = true;
          continue;
        }
        this.inElement = true;
        this.elementLine = this.line;
        start = i;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.primitive = false;
          this.depth++;
        } else {
          this.primitive = true;
          if (c === QUOTE) this.inString = true;
        }
        continue;
      }
      // inside an element
      if (this.primitive) {
        if (c === COMMA || c === CLOSE_BRACKET || isSpace(c)) {
          out.push(this.finish(chunk, start, i));
          start = -1;
          if (c === CLOSE_BRACKET) {
            this.depth = 0;
            this.finished = true;
          }
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 1) {
          out.push(this.finish(chunk, start, i + 1));
          start = -1;
        }
      }
    }
    if (this.inElement && start >= 0) this.parts.push(chunk.slice(start));
    return out;
  }

  /** The partial text of an element cut off by the end of input. */
  pendingText(): string {
    return this.parts.join("");
  }

  private finish(chunk: string, start: number, end: number): ScannedElement {
    let text: string;
    if (this.parts.length > 0) {
      this.parts.push(chunk.slice(Math.max(start, 0), end));
      text = this.parts.join("");
      this.parts = [];
    } else text = chunk.slice(start, end);
    this.inElement = false;
    this.primitive = false;
    return { text, line: this.elementLine, index: this.index++ };
  }
}
