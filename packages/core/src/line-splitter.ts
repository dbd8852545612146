import { CftkitError } from "./cftkit-error.js";

/** The longest line a line reader keeps by default (64 MiB): far above any real JSONL row. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** One line: its bytes without the line break, and its 1-based number. */
export interface SplitLine {
  bytes: Buffer;
  lineNumber: number;
}

/**
 * Split a byte stream into lines, with the rules every cftkit line reader shares (docs/hardening.md):
 * a UTF-8 byte-order mark at the very start is dropped, `\r\n` counts as `\n`, and a line longer than
 * `maxLineBytes` is refused (LINE_TOO_LONG) as soon as it passes the bound, instead of being buffered whole
 * (a 1 GB file without a newline must not exhaust memory).
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private started = false;
  /** Lines returned so far (the next line's number is `lines + 1`). */
  lines = 0;

  constructor(
    private readonly source: string,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** The complete lines in `chunk` (and any carried start); line contents without the line break. */
  push(chunk: Buffer): SplitLine[] {
    if (!this.started) {
      chunk = this.dropBom(chunk);
      if (!this.started) return [];
    }
    const out: SplitLine[] = [];
    let start = 0;
    let nl = chunk.indexOf(10);
    while (nl >= 0) {
      const part = chunk.subarray(start, nl);
      this.check(part.length);
      out.push(this.finish(this.carryBytes > 0 ? Buffer.concat([...this.carry, part]) : part));
      this.carry = [];
      this.carryBytes = 0;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.check(rest.length);
      this.carry.push(Buffer.from(rest)); // a copy: a kept line never pins the whole chunk
      this.carryBytes += rest.length;
    }
    return out;
  }

  /** The last line when the input does not end with a line break. */
  end(): SplitLine[] {
    if (!this.started) this.carryBytes = this.carry.reduce((n, b) => n + b.length, 0); // a lone partial BOM
    if (this.carryBytes === 0) return [];
    const last = this.finish(Buffer.concat(this.carry));
    this.carry = [];
    this.carryBytes = 0;
    return [last];
  }

  private finish(line: Buffer): SplitLine {
    this.lines++;
    const bytes = line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
    return { bytes, lineNumber: this.lines };
  }

  private check(adding: number): void {
    if (this.carryBytes + adding <= this.maxLineBytes) return;
    throw new CftkitError(
      "LINE_TOO_LONG",
      `${this.source}: line ${this.lines + 1} is longer than ${this.maxLineBytes} bytes; is this really a line-per-record (JSONL) file?`,
      { details: { file: this.source, line: this.lines + 1, maxLineBytes: this.maxLineBytes } },
    );
  }

  /** Drop a UTF-8 BOM, which may arrive split over the first chunks. */
  private dropBom(chunk: Buffer): Buffer {
    const head = Buffer.concat([...this.carry, chunk]);
    if (head.length < UTF8_BOM.length && UTF8_BOM.slice(0, head.length).every((b, i) => head[i] === b)) {
      this.carry = [head];
      this.carryBytes = 0; // not line content
      return Buffer.alloc(0);
    }
    this.carry = [];
    this.started = true;
    return UTF8_BOM.every((b, i) => head[i] === b) ? head.subarray(UTF8_BOM.length) : head;
  }
}
