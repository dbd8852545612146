import type { InstructionRecord } from "./record.js";
import type { RecordSource } from "./records-jsonl.js";
import { countWhitespaceWords, type TokenCounter } from "./length-filter.js";

export interface LengthStats {
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
}

export interface DatasetStats {
  rows: number;
  languages: Record<string, number>;
  sources: Record<string, number>;
  withInput: number;
  multiTurn: number;
  /** Lengths of the prompt (instruction + input) and of the output, in the counter's units (default: words). */
  promptLength: LengthStats;
  outputLength: LengthStats;
  chars: { prompt: LengthStats; output: LengthStats };
}

/** Bounded-memory histogram of non-negative integers (exact up to 65,535, then bucketed by powers of 2). */
class Histogram {
  private small = new Uint32Array(65536);
  private large = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  add(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v < 65536) this.small[v]!++;
    else {
      const b = 2 ** Math.floor(Math.log2(v));
      this.large.set(b, (this.large.get(b) ?? 0) + 1);
    }
  }
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let acc = 0;
    for (let v = 0; v < 65536; v++) {
      acc += this.small[v]!;
      if (acc >= target) return v;
    }
    for (const [b, c] of [...this.large].sort((a, b) => a[0] - b[0])) {
      acc += c;
      if (acc >= target) return b;
    }
    return this.max;
  }
  stats(): LengthStats {
    return {
      min: this.count ? this.min : 0,
      max: this.max,
      mean: this.count ? this.sum / this.count : 0,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
    };
  }
}

/** Streaming statistics with bounded memory (rows, languages, sources, length distributions). */
export class StatsAccumulator {
  private rows = 0;
  private languages: Record<string, number> = {};
  private sources: Record<string, number> = {};
  private withInput = 0;
  private multiTurn = 0;
  private prompt = new Histogram();
  private output = new Histogram();
  private promptChars = new Histogram();
  private outputChars = new Histogram();
  constructor(private readonly counter: TokenCounter = countWhitespaceWords) {}
  add(r: InstructionRecord): void {
    this.rows++;
    this.languages[r.language] = (this.languages[r.language] ?? 0) + 1;
    this.sources[r.source] = (this.sources[r.source] ?? 0) + 1;
    if (r.input) this.withInput++;
    if (r.messages && r.messages.filter((m) => m.role === "user").length > 1) this.multiTurn++;
    const input = r.input ?? "";
    this.prompt.add(this.counter(r.instruction) + (input ? this.counter(input) : 0));
    this.output.add(this.counter(r.output));
    this.promptChars.add(r.instruction.length + (input ? input.length + 1 : 0));
    this.outputChars.add(r.output.length);
  }
  result(): DatasetStats {
    return {
      rows: this.rows,
      languages: this.languages,
      sources: this.sources,
      withInput: this.withInput,
      multiTurn: this.multiTurn,
      promptLength: this.prompt.stats(),
      outputLength: this.output.stats(),
      chars: { prompt: this.promptChars.stats(), output: this.outputChars.stats() },
    };
  }
}

export async function datasetStats(records: RecordSource, counter?: TokenCounter): Promise<DatasetStats> {
  const acc = new StatsAccumulator(counter);
  for await (const r of records) acc.add(r);
  return acc.result();
}
