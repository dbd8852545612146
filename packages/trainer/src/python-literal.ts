/**
 * A small parser for the Python literals that training logs print (`repr` of dicts of metrics): dicts,
 * lists, tuples, quoted strings, ints, floats, `nan`, `inf`, `-inf`, `True`, `False`, `None`, and
 * wrapper calls such as `np.float64(0.5)` or `tensor(1.2)` (unwrapped to their first argument). It never
 * evaluates code.
 */
export type PythonValue = number | string | boolean | null | PythonValue[] | { [key: string]: PythonValue };

export class PythonLiteralError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at offset ${position}`);
    this.name = "PythonLiteralError";
  }
}

class Parser {
  pos: number;
  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    throw new PythonLiteralError(message, this.pos);
  }

  value(): PythonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail("unexpected end of input");
    if (c === "{") return this.dict();
    if (c === "[") return this.sequence("[", "]");
    if (c === "(") return this.sequence("(", ")");
    if (c === "'" || c === '"') return this.string();
    if (c === "-" || c === "+" || c === "." || (c >= "0" && c <= "9")) return this.number();
    if (/[A-Za-z_]/.test(c)) return this.word();
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private dict(): { [key: string]: PythonValue } {
    this.pos++; // {
    const out: { [key: string]: PythonValue } = {};
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      const key = this.value();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      const value = this.value();
      out[String(key)] = value;
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.skipSpace();
        if (this.text[this.pos] === "}") {
          this.pos++;
          return out;
        }
        continue;
      }
      if (c === "}") {
        this.pos++;
        return out;
      }
      this.fail("expected ',' or '}'");
    }
  }

  private sequence(open: string, close: string): PythonValue[] {
    this.pos++; // open
    const out: PythonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ",") {
        this.pos++;
        this.skipSpace();
        if (this.text[this.pos] === close) {
          this.pos++;
          return out;
        }
        continue;
      }
      if (c === close) {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or '${open === "[" ? "]" : ")"}'`);
    }
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === "\n") this.fail("unterminated string");
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "\\":
        case "'":
        case '"':
          out += e;
          break;
        case "x":
        case "u":
        case "U": {
          const len = e === "x" ? 2 : e === "u" ? 4 : 8;
          const hex = this.text.slice(this.pos, this.pos + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail("bad escape");
          out += String.fromCodePoint(Number.parseInt(hex, 16));
          this.pos += len;
          break;
        }
        default:
          out += `\\${e ?? ""}`;
      }
    }
  }

  private number(): number {
    const rest = this.text.slice(this.pos);
    const special = /^([+-]?)(nan|inf)(?![A-Za-z0-9_])/.exec(rest);
    if (special) {
      this.pos += special[0].length;
      if (special[2] === "nan") return Number.NaN;
      return special[1] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    const m = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(rest);
    if (!m) this.fail("bad number");
    this.pos += m[0].length;
    return Number(m[0].replace(/_/g, ""));
  }

  private word(): PythonValue {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.pos))!;
    const word = m[0];
    this.pos += word.length;
    this.skipSpace();
    if (this.text[this.pos] === "(" && /^(?:(?:np|numpy|torch)\.\w+|tensor|float|int|Decimal)$/.test(word)) {
      // A wrapper call such as np.float64(0.5) or tensor(1.0, device='cuda:0'): keep the first argument.
      this.pos++;
      const inner = this.value();
      let depth = 1;
      while (depth > 0) {
        const c = this.text[this.pos];
        if (c === undefined) this.fail("unterminated call");
        if (c === "'" || c === '"') {
          this.string();
          continue;
        }
        if (c === "(" || c === "[" || c === "{") depth++;
        else if (c === ")" || c === "]" || c === "}") depth--;
        this.pos++;
      }
      return inner;
    }
    switch (word) {
      case "True":
        return true;
      case "False":
        return false;
      case "None":
        return null;
      case "nan":
      case "NaN":
        return Number.NaN;
      case "inf":
      case "Infinity":
        return Number.POSITIVE_INFINITY;
      default:
        return this.fail(`unknown name ${word}`);
    }
  }
}

/** Parse one literal starting at `start`; returns the value and the offset just after it. */
export function parsePythonLiteralAt(text: string, start = 0): { value: PythonValue; end: number } {
  const parser = new Parser(text, start);
  const value = parser.value();
  return { value, end: parser.pos };
}

/** Parse a whole string holding one Python literal (trailing whitespace allowed). */
export function parsePythonLiteral(text: string): PythonValue {
  const { value, end } = parsePythonLiteralAt(text, 0);
  if (text.slice(end).trim() !== "") throw new PythonLiteralError("trailing characters", end);
  return value;
}
