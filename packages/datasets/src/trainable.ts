import type { LoadSummary } from "./load-summary.js";
import { MAX_ISSUES_KEPT } from "./load-summary.js";
import type { RecordSource } from "./records-jsonl.js";
import { type InstructionRecord, recordToMessages } from "./record.js";

/** True when a trainer has something to learn from: at least one non-empty assistant turn. */
export function hasResponse(record: InstructionRecord): boolean {
  return recordToMessages(record).some((m) => m.role === "assistant" && m.content.trim() !== "");
}

/**
 * The records a training export keeps: those with a response. The others (Alpaca rows with `output: ""`,
 * chats whose assistant turns are empty) are skipped and moved from `written` to `skipped` in the summary
 * with the reason DATA_EMPTY_OUTPUT, so read = written + skipped still holds; `counts.skipped` says how
 * many when there is no summary.
 */
export async function* trainableRecords(
  records: RecordSource,
  summary?: LoadSummary,
  counts: { skipped: number } = { skipped: 0 },
): AsyncGenerator<InstructionRecord> {
  for await (const record of records) {
    if (hasResponse(record)) {
      yield record;
      continue;
    }
    counts.skipped++;
    if (!summary) continue;
    summary.written--;
    summary.skipped++;
    summary.reasons.DATA_EMPTY_OUTPUT = (summary.reasons.DATA_EMPTY_OUTPUT ?? 0) + 1;
    if (summary.issues.length < MAX_ISSUES_KEPT) {
      summary.issues.push({
        kind: "DATA_EMPTY_OUTPUT",
        file: record.source,
        message: `record ${record.id} has no response to train on (empty output / assistant turn)`,
      });
    }
  }
}
