import type { ChatMessage } from "@cftkit/core";

/**
 * The record shape replay reads and writes: structurally `@cftkit/datasets`' `InstructionRecord`, so
 * the files replay writes load with `loadDataset` / `readRecordsJsonl`.
 */
export interface ReplayRecord {
  id: string;
  language: string;
  instruction: string;
  input?: string;
  output: string;
  system?: string;
  messages?: ChatMessage[];
  source: string;
  parallel_id?: string;
  group?: string;
}

/** One item to generate a response for: the English counterpart's prompt, never its response. */
export interface GenerationItem {
  /** Unique key of the item in the buffer (the English record's id). */
  id: string;
  /** The conversation to answer (system? + user). */
  messages: ChatMessage[];
  /** The source record (its output is not used). */
  record: ReplayRecord;
}

/** How a response was produced. Stored with every generated record. */
export interface GenerationProvenance {
  generator: "openai-chat" | "openai-completions" | "embedded";
  model: string;
  /** Server base URL (OpenAI-compatible generators). */
  baseUrl?: string;
  /** "server" (the server applies the model's chat template) or the local template's name. */
  promptTemplate: string;
  sampling: { maxTokens: number; temperature: number; topP: number; seed: number };
  finishReason: string | null;
  /** HTTP attempts (or generate calls) this item took. */
  attempts: number;
  /** ISO time the response was received. */
  generatedAt: string;
  /** Token usage when the server reported it. */
  usage?: { promptTokens: number; completionTokens: number };
}

/** A generated record as the GR buffer stores it: an InstructionRecord plus its provenance. */
export interface GeneratedRecord extends ReplayRecord {
  provenance: GenerationProvenance;
}

/** A rejected generation: why, and what was generated (so counts add up and can be audited). */
export interface RejectedRecord {
  id: string;
  reason: QualityRejectReason;
  detail?: string;
  output: string;
  provenance: GenerationProvenance;
}

export type QualityRejectReason = "empty" | "truncated" | "language" | "refusal" | "too_short";
