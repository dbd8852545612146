import { type PythonValue, parsePythonLiteralAt } from "./python-literal.js";

/** One metrics record: a training log step, an evaluation, or the end-of-training summary. */
export interface TrainingMetric {
  type: "train" | "eval" | "summary";
  /** Optimizer step (from the progress bar when the log line itself has none). */
  step?: number;
  epoch?: number;
  /** Every key of the logged dict; string floats (`'1.023'`) become numbers; nan/inf kept as NaN/±Infinity. */
  values: Record<string, number | string>;
}

export interface TrainingProgress {
  done: number;
  total: number;
  elapsed?: string;
  remaining?: string;
  rate?: string;
}

/** Known failure signatures seen in the output (see `diagnoseAxolotlFailure`). */
export type FailureSignal =
  | "cuda_oom"
  | "no_trainable_parameters"
  | "nccl"
  | "file_not_found"
  | "hub_access"
  | "config_invalid";

const FAILURE_PATTERNS: [FailureSignal, RegExp][] = [
  ["cuda_oom", /CUDA out of memory|OutOfMemoryError|CUDA error: out of memory/i],
  [
    "no_trainable_parameters",
    /All parameters are frozen|no trainable param|does not require grad and does not have a grad_fn|optimizer got an empty parameter list/i,
  ],
  [
    "nccl",
    /NCCL (?:error|WARN.*timeout)|Watchdog caught collective operation timeout|ProcessGroupNCCL.*[Tt]imeout/,
  ],
  ["file_not_found", /FileNotFoundError|No such file or directory/],
  ["hub_access", /401 Client Error|Repository Not Found|gated repo|GatedRepoError/i],
  ["config_invalid", /ValidationError|validation error for AxolotlInputConfig|is not a valid/],
];

const METRIC_KEYS = new Set([
  "loss",
  "eval_loss",
  "train_loss",
  "learning_rate",
  "grad_norm",
  "train_runtime",
  "eval_runtime",
]);

const TQDM = /(\d{1,3})%\|[^|]*\|\s*(\d+)\/(\d+)\s*\[([^\]<]*)(?:<([^,\]]*))?(?:,\s*([^\]]*))?\]/;

function toMetricNumber(value: PythonValue): number | string | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const t = value.trim();
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) {
      if (/nan/i.test(t)) return Number.NaN;
      return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    if (t !== "" && Number.isFinite(Number(t))) return Number(t);
    return value;
  }
  return undefined;
}

/** Metric values as JSON: NaN / ±Infinity become the strings "NaN", "Infinity", "-Infinity". */
export function metricToJson(metric: TrainingMetric): Record<string, unknown> {
  const out: Record<string, unknown> = { type: metric.type };
  if (metric.step !== undefined) out.step = metric.step;
  for (const [k, v] of Object.entries(metric.values)) {
    out[k] = typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
  }
  if (metric.epoch !== undefined) out.epoch = metric.epoch;
  return out;
}

export interface AxolotlLogParserEvents {
  onMetric?: (metric: TrainingMetric) => void;
  onProgress?: (progress: TrainingProgress) => void;
  onLine?: (line: string) => void;
}

/**
 * Incremental parser of Axolotl's output (stdout and stderr together or apart). Splits on `\n` and `\r`
 * (tqdm redraws with `\r`), finds metric dicts (Python reprs) anywhere in a line, follows the training
 * progress bar (the first `it`-unit bar without a description; data-processing bars such as
 * `Map: 100%|…| 5000/5000 [… examples/s]` and evaluation bars with another total are ignored), and notes
 * failure signatures.
 */
export class AxolotlLogParser {
  readonly metrics: TrainingMetric[] = [];
  readonly signals = new Set<FailureSignal>();
  /** The last lines seen (for error messages). */
  readonly tail: string[] = [];
  progress: TrainingProgress | undefined;
  private trainTotal: number | undefined;
  private buffer = "";
  private readonly pending: TrainingMetric[] = [];

  constructor(
    private readonly events: AxolotlLogParserEvents = {},
    private readonly tailSize = 40,
  ) {}

  /** Feed a chunk of output; complete lines are handled now, a partial last line is kept. */
  push(chunk: string): void {
    this.buffer += chunk;
    const parts = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = parts.pop() ?? "";
    for (const part of parts) this.line(part);
  }

  /** Handle the rest of the buffer at end of stream. */
  end(): void {
    if (this.buffer !== "") this.line(this.buffer);
    this.buffer = "";
    this.flushPending();
  }

  private line(text: string): void {
    if (text.trim() === "") return;
    this.events.onLine?.(text);
    if (!TQDM.test(text)) {
      this.tail.push(text);
      if (this.tail.length > this.tailSize) this.tail.shift();
    }
    for (const [signal, pattern] of FAILURE_PATTERNS) if (pattern.test(text)) this.signals.add(signal);
    this.progressBar(text);
    this.metricDicts(text);
  }

  private progressBar(text: string): void {
    const m = TQDM.exec(text);
    if (!m) return;
    const prefix = text.slice(0, m.index).trim();
    const rate = m[6]?.trim();
    const itUnit = rate === undefined || rate === "" || /(?:it\/s|s\/it|\?it\/s)$/.test(rate);
    if (!itUnit) return;
    const done = Number(m[2]);
    const total = Number(m[3]);
    if (this.trainTotal === undefined) {
      if (prefix !== "" && !/^\S*$/.test(prefix)) return;
      if (prefix !== "") return;
      this.trainTotal = total;
    } else if (total !== this.trainTotal) {
      return;
    }
    this.progress = { done, total, elapsed: m[4]?.trim(), remaining: m[5]?.trim(), rate };
    this.flushPending();
    this.events.onProgress?.(this.progress);
  }

  private metricDicts(text: string): void {
    let from = 0;
    for (;;) {
      const at = text.indexOf("{", from);
      if (at < 0) return;
      const next = text.slice(at + 1).trimStart()[0];
      if (next !== "'" && next !== '"') {
        from = at + 1;
        continue;
      }
      let parsed: { value: PythonValue; end: number };
      try {
        parsed = parsePythonLiteralAt(text, at);
      } catch {
        from = at + 1;
        continue;
      }
      from = parsed.end;
      const value = parsed.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
      if (!Object.keys(value).some((k) => METRIC_KEYS.has(k))) continue;
      this.addMetric(value);
    }
  }

  private addMetric(dict: { [key: string]: PythonValue }): void {
    const values: Record<string, number | string> = {};
    let epoch: number | undefined;
    let step: number | undefined;
    for (const [k, raw] of Object.entries(dict)) {
      const v = toMetricNumber(raw);
      if (v === undefined) continue;
      if (k === "epoch" && typeof v === "number") epoch = v;
      else if (k === "step" && typeof v === "number") step = v;
      else values[k] = v;
    }
    const keys = Object.keys(values);
    const type: TrainingMetric["type"] = keys.some((k) => k.startsWith("eval_"))
      ? "eval"
      : keys.includes("train_runtime") || keys.includes("train_loss")
        ? "summary"
        : "train";
    const metric: TrainingMetric = { type, values };
    if (epoch !== undefined) metric.epoch = epoch;
    this.flushPending();
    if (step !== undefined) {
      metric.step = step;
      this.emit(metric);
    } else {
      // tqdm throttles its redraws, so the bar on screen can lag the Trainer's step; tqdm.write() redraws
      // the bar (with the current count) right after the dict. The step is taken from that redraw.
      this.pending.push(metric);
    }
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending.splice(0);
    for (const metric of pending) {
      if (this.progress !== undefined) metric.step = this.progress.done;
      this.emit(metric);
    }
  }

  private emit(metric: TrainingMetric): void {
    this.metrics.push(metric);
    this.events.onMetric?.(metric);
  }
}

/** Parse a whole saved log. */
export function parseAxolotlLog(text: string): {
  metrics: TrainingMetric[];
  progress: TrainingProgress | undefined;
  signals: FailureSignal[];
} {
  const parser = new AxolotlLogParser();
  parser.push(text);
  parser.end();
  return { metrics: parser.metrics, progress: parser.progress, signals: [...parser.signals] };
}
