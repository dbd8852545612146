import { CHAT_ROLES, type ChatMessage } from "@cftkit/core";
import { z } from "zod";

/** Validates a chat turn (`ChatMessage` of @cftkit/core). */
export const ChatMessageSchema = z.object({
  role: z.enum(CHAT_ROLES),
  content: z.string(),
});

/** A BCP-47 tag as data sets use it: `en`, `pt-BR`, `zh-Hans`, `und` (unknown). */
export const LANGUAGE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

/**
 * The one canonical record every loader produces and every exporter reads. On disk: cftkit JSONL,
 * one record per line (see `writeRecordsJsonl`).
 *
 * - `instruction` is never empty; `output` may be empty only for prompt-only sets (MT-Bench, IFEval).
 * - `messages`, when present, is the whole conversation and wins over instruction/input/output in
 *   `recordToMessages`.
 * - `parallel_id` links translations of the same item (XQuAD question id, seed-task id, ...).
 * - `group` is a grouping key for group-aware splits (the article title of a SQuAD-layout set).
 */
export const InstructionRecordSchema = z.object({
  id: z.string().min(1),
  language: z.string().regex(LANGUAGE_TAG, "a BCP-47 language tag such as en or pt-BR"),
  instruction: z.string().min(1),
  input: z.string().optional(),
  output: z.string(),
  system: z.string().optional(),
  messages: z.array(ChatMessageSchema).optional(),
  source: z.string(),
  parallel_id: z.string().optional(),
  group: z.string().optional(),
});
export type InstructionRecord = z.infer<typeof InstructionRecordSchema>;

/** One row of the embedded trainer's input (structurally `@cftkit/lm`'s `TrainingExample` plus a language). */
export interface TrainingExampleRow {
  id: string;
  language: string;
  messages: ChatMessage[];
}

/** The record's conversation: `messages` when present, else system? + user (instruction + "\n\n" + input) + assistant. */
export function recordToMessages(record: InstructionRecord): ChatMessage[] {
  if (record.messages && record.messages.length > 0) {
    if (record.system && record.messages[0]!.role !== "system") {
      return [{ role: "system", content: record.system }, ...record.messages];
    }
    return record.messages;
  }
  const messages: ChatMessage[] = [];
  if (record.system) messages.push({ role: "system", content: record.system });
  const user = record.input ? `${record.instruction}\n\n${record.input}` : record.instruction;
  messages.push({ role: "user", content: user });
  if (record.output !== "") messages.push({ role: "assistant", content: record.output });
  return messages;
}

/** The text a language detector or a length filter looks at: instruction + input + output. */
export function recordText(record: InstructionRecord, parts: "prompt" | "all" = "all"): string {
  const pieces = [record.instruction];
  if (record.input) pieces.push(record.input);
  if (parts === "all" && record.output) pieces.push(record.output);
  return pieces.join("\n");
}
