import type { LoadSummary } from "./load-summary.js";
import { writeJsonlAtomic, type RecordSource } from "./records-jsonl.js";
import { trainableRecords } from "./trainable.js";
import { type InstructionRecord, recordToMessages, type TrainingExampleRow } from "./record.js";

export type AxolotlType = "alpaca" | "chat_template";

/** The `datasets:` entry of an Axolotl config for an exported file (keys checked against Axolotl 0.18's schema). */
export type AxolotlDatasetEntry =
  | { path: string; type: "alpaca"; ds_type: "json" }
  | {
      path: string;
      type: "chat_template";
      ds_type: "json";
      field_messages: "messages";
      message_property_mappings: { role: "role"; content: "content" };
    };

export function axolotlDatasetEntry(path: string, type: AxolotlType): AxolotlDatasetEntry {
  if (type === "alpaca") return { path, type: "alpaca", ds_type: "json" };
  return {
    path,
    type: "chat_template",
    ds_type: "json",
    field_messages: "messages",
    message_property_mappings: { role: "role", content: "content" },
  };
}

/** One Axolotl `type: alpaca` row. Multi-turn records keep only their first exchange. */
export function toAlpacaRow(r: InstructionRecord): { instruction: string; input: string; output: string } {
  return { instruction: r.instruction, input: r.input ?? "", output: r.output };
}

/**
 * Export records for Axolotl: `alpaca` → JSONL of {instruction, input, output}; `chat_template` → JSONL
 * of {messages: [{role, content}]}. Records without a response are skipped (nothing to train on) and
 * counted (`skippedEmpty`, and in `summary` when given). Atomic; returns the row count and the `datasets:` entry.
 */
export async function exportAxolotl(
  records: RecordSource,
  options: { type: AxolotlType; out: string; path?: string; summary?: LoadSummary },
): Promise<{ rows: number; skippedEmpty: number; datasetEntry: AxolotlDatasetEntry }> {
  const counts = { skipped: 0 };
  const kept = trainableRecords(records, options.summary, counts);
  const rows =
    options.type === "alpaca"
      ? await writeJsonlAtomic(options.out, kept, (r) => JSON.stringify(toAlpacaRow(r)))
      : await writeJsonlAtomic(options.out, kept, (r) => JSON.stringify({ messages: recordToMessages(r) }));
  return {
    rows,
    skippedEmpty: counts.skipped,
    datasetEntry: axolotlDatasetEntry(options.path ?? options.out, options.type),
  };
}

export function toTrainingExample(r: InstructionRecord): TrainingExampleRow {
  return { id: r.id, language: r.language, messages: recordToMessages(r) };
}

/**
 * The embedded trainer's input: JSONL of `{id, language, messages}` (atomic). Records without a response
 * (e.g. Alpaca rows with `output: ""`) are skipped and counted, so `lm train` accepts every row written.
 */
export async function exportEmbedded(
  records: RecordSource,
  out: string,
  options: { summary?: LoadSummary } = {},
): Promise<{ rows: number; skippedEmpty: number }> {
  const counts = { skipped: 0 };
  const kept = trainableRecords(records, options.summary, counts);
  const rows = await writeJsonlAtomic(out, kept, (r) => JSON.stringify(toTrainingExample(r)));
  return { rows, skippedEmpty: counts.skipped };
}
