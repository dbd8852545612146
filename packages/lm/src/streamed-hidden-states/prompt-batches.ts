/**
 * How the streamed engine walks the prompts: sorted by length (batches pad little), cut into batches of at
 * most `batchTokens` padded tokens, each prompt's tokens at a fixed place in the spool files.
 */

export class PromptBatch {
  constructor(
    /** Input indices of the prompts, in processing order. */
    readonly prompts: number[],
    readonly lengths: number[],
    /** Row of the first prompt in processing order. */
    readonly firstRow: number,
    /** Spool position (in tokens) of the first prompt's first token. */
    readonly firstToken: number,
  ) {}

  get tokens(): number {
    return this.lengths.reduce((a, b) => a + b, 0);
  }

  /** Padded length: the longest prompt of the batch. */
  get seq(): number {
    return Math.max(...this.lengths);
  }

  /** 1 for real tokens, 0 for padding (right padding). */
  get mask(): number[][] {
    return this.lengths.map((n) => Array.from({ length: this.seq }, (_, t) => (t < n ? 1 : 0)));
  }

  /** Back-to-back token rows → [B, seq, H], zeros after each prompt's end. */
  pad(tokens: Float32Array, hiddenSize: number): Float32Array {
    const out = new Float32Array(this.lengths.length * this.seq * hiddenSize);
    let offset = 0;
    this.lengths.forEach((n, r) => {
      out.set(tokens.subarray(offset, offset + n * hiddenSize), r * this.seq * hiddenSize);
      offset += n * hiddenSize;
    });
    return out;
  }

  /** [B, seq, H] → back-to-back token rows without the padding. */
  unpad(padded: Float32Array, hiddenSize: number): Float32Array {
    const out = new Float32Array(this.tokens * hiddenSize);
    let offset = 0;
    this.lengths.forEach((n, r) => {
      const start = r * this.seq * hiddenSize;
      out.set(padded.subarray(start, start + n * hiddenSize), offset);
      offset += n * hiddenSize;
    });
    return out;
  }
}

export interface BatchPlan {
  batches: PromptBatch[];
  /** Prompt lengths in processing order. */
  lengths: number[];
  totalTokens: number;
  /** Rows of a [samples × H] array in processing order → input order. */
  toInputOrder(rows: Float32Array, hiddenSize: number): Float32Array;
}

export function planBatches(tokenIds: number[][], batchTokens: number): BatchPlan {
  const order = tokenIds.map((_, i) => i).sort((a, b) => tokenIds[a]!.length - tokenIds[b]!.length || a - b);
  const lengths = order.map((i) => tokenIds[i]!.length);
  const batches: PromptBatch[] = [];
  let start = 0;
  let firstToken = 0;
  while (start < order.length) {
    let end = start + 1;
    // Sorted ascending, so the last prompt of a batch sets its padded length.
    while (end < order.length && (end + 1 - start) * lengths[end]! <= batchTokens) end++;
    const batch = new PromptBatch(order.slice(start, end), lengths.slice(start, end), start, firstToken);
    batches.push(batch);
    firstToken += batch.tokens;
    start = end;
  }
  return {
    batches,
    lengths,
    totalTokens: firstToken,
    toInputOrder(rows, hiddenSize) {
      const out = new Float32Array(rows.length);
      order.forEach((input, row) => {
        out.set(rows.subarray(row * hiddenSize, (row + 1) * hiddenSize), input * hiddenSize);
      });
      return out;
    },
  };
}
