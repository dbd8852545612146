/**
 * Progress of long work. Library code reports through this interface and never prints by itself;
 * the CLI picks a bar on a TTY, one JSON line per update with `--json`, or nothing.
 */
export interface ProgressUpdate {
  /** Items (or bytes, tokens, steps) finished so far. */
  done: number;
  /** Total when known. */
  total?: number;
  /** Extra numbers to show, e.g. `{ loss: 1.23, failures: 2 }`. */
  values?: Record<string, number | string>;
}

export interface ProgressReporter {
  start(label: string, total?: number): void;
  update(update: ProgressUpdate): void;
  stop(): void;
}

/** Reports nothing. The default of every library call. */
export const silentProgress: ProgressReporter = {
  start() {},
  update() {},
  stop() {},
};

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, "0")}s`
      : `${sec}s`;
}

function formatValues(values: Record<string, number | string> | undefined): string {
  if (!values) return "";
  return Object.entries(values)
    .map(([k, v]) => `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join(" ");
}

/** A one-line bar with rate and ETA, redrawn in place (at most ~10 times a second). */
export class TerminalProgress implements ProgressReporter {
  private label = "";
  private total: number | undefined;
  private startedAt = 0;
  private lastDraw = 0;
  private lastLine = "";

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  start(label: string, total?: number): void {
    this.label = label;
    this.total = total;
    this.startedAt = Date.now();
    this.lastDraw = 0;
  }

  update(update: ProgressUpdate): void {
    if (update.total !== undefined) this.total = update.total;
    const now = Date.now();
    const finished = this.total !== undefined && update.done >= this.total;
    if (!finished && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const elapsed = (now - this.startedAt) / 1000;
    const rate = elapsed > 0 ? update.done / elapsed : 0;
    let line = `${this.label} `;
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, update.done / this.total);
      const width = 24;
      const filled = Math.round(fraction * width);
      const eta = rate > 0 ? (this.total - update.done) / rate : Number.NaN;
      line += `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${update.done}/${this.total} ${(fraction * 100).toFixed(0)}% ${rate.toFixed(1)}/s ETA ${formatDuration(eta)}`;
    } else {
      line += `${update.done} ${rate.toFixed(1)}/s ${formatDuration(elapsed)}`;
    }
    const extra = formatValues(update.values);
    if (extra) line += ` ${extra}`;
    this.lastLine = line;
    this.stream.write(`\r\x1b[2K${line}`);
  }

  stop(): void {
    if (this.lastLine) this.stream.write("\n");
    this.lastLine = "";
  }
}

/** One JSON object per update on stderr (throttled to one a second), for logs and `--json` runs. */
export class JsonLinesProgress implements ProgressReporter {
  private label = "";
  private total: number | undefined;
  private lastEmit = 0;
  private startedAt = 0;

  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}

  start(label: string, total?: number): void {
    this.label = label;
    this.total = total;
    this.startedAt = Date.now();
    this.stream.write(`${JSON.stringify({ event: "start", step: label, total })}\n`);
  }

  update(update: ProgressUpdate): void {
    if (update.total !== undefined) this.total = update.total;
    const now = Date.now();
    if (now - this.lastEmit < 1000 && !(this.total !== undefined && update.done >= this.total)) return;
    this.lastEmit = now;
    this.stream.write(
      `${JSON.stringify({ event: "progress", step: this.label, done: update.done, total: this.total, elapsed_s: (now - this.startedAt) / 1000, ...update.values })}\n`,
    );
  }

  stop(): void {
    this.stream.write(
      `${JSON.stringify({ event: "end", step: this.label, elapsed_s: (Date.now() - this.startedAt) / 1000 })}\n`,
    );
  }
}

/** The reporter the CLI uses: JSON lines when asked (or not a TTY), a bar on a TTY. */
export function progressFor(options: { json?: boolean; quiet?: boolean } = {}): ProgressReporter {
  if (options.quiet) return silentProgress;
  if (options.json || !process.stderr.isTTY) return new JsonLinesProgress();
  return new TerminalProgress();
}
