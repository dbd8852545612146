import { AtomicFileWriter } from "@cftkit/core";
import { type LoadOptions, loadDataset, streamDataset } from "./load-dataset.js";
import type { InstructionRecord } from "./record.js";

export type RecordSource = Iterable<InstructionRecord> | AsyncIterable<InstructionRecord>;

/** Canonical key order of a record on disk. */
export function recordToJson(r: InstructionRecord): string {
  const out: Record<string, unknown> = { id: r.id, language: r.language, instruction: r.instruction };
  if (r.input !== undefined) out.input = r.input;
  out.output = r.output;
  if (r.system !== undefined) out.system = r.system;
  if (r.messages !== undefined) out.messages = r.messages;
  out.source = r.source;
  if (r.parallel_id !== undefined) out.parallel_id = r.parallel_id;
  if (r.group !== undefined) out.group = r.group;
  return JSON.stringify(out);
}

/**
 * Write rows as JSONL atomically (temp file + rename): the target appears whole on success and is
 * untouched when `toLine` or the source throws.
 */
export async function writeJsonlAtomic<T>(
  out: string,
  rows: Iterable<T> | AsyncIterable<T>,
  toLine: (row: T) => string,
): Promise<number> {
  const writer = await AtomicFileWriter.open(out);
  let count = 0;
  // Lines are joined into ~1 MB strings so the writer is awaited once per batch, not once per row.
  let batch: string[] = [];
  let batchChars = 0;
  try {
    for await (const row of rows) {
      const line = toLine(row);
      batch.push(line);
      batchChars += line.length + 1;
      count++;
      if (batchChars >= 1 << 20) {
        batch.push("");
        await writer.write(batch.join("\n"));
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) {
      batch.push("");
      await writer.write(batch.join("\n"));
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return count;
}

/** Write records as cftkit JSONL (atomic). */
export async function writeRecordsJsonl(path: string, records: RecordSource): Promise<{ rows: number }> {
  return { rows: await writeJsonlAtomic(path, records, recordToJson) };
}

/** Read a cftkit JSONL file (or folder of them) into memory. */
export function readRecordsJsonl(
  path: string,
  options: Omit<LoadOptions, "format"> = {},
): Promise<InstructionRecord[]> {
  return loadDataset(path, { ...options, format: "cftkit" });
}

/** Stream a cftkit JSONL file (bounded memory). */
export function streamRecordsJsonl(
  path: string,
  options: Omit<LoadOptions, "format"> = {},
): AsyncGenerator<InstructionRecord> {
  return streamDataset(path, { ...options, format: "cftkit" });
}
