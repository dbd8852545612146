import { CftkitError, chatRoleOf, isCftkitError, readJsonLines } from "@cftkit/core";
import type { TrainingExample } from "./training-batch.js";

/** One JSONL row → TrainingExample: `{id?, messages:[{role, content}]}` or ShareGPT-style `conversations:[{from, value}]`. */
function rowToExample(row: unknown, file: string, line: number): TrainingExample {
  const bad = (why: string) =>
    new CftkitError("LM_TRAIN_BAD_ROW", `${file}:${line}: ${why}`, { details: { file, line } });
  if (typeof row !== "object" || row === null) throw bad("expected a JSON object");
  const r = row as Record<string, unknown>;
  const list = r.messages ?? r.conversations;
  if (!Array.isArray(list) || list.length === 0)
    throw bad('expected a non-empty "messages" (or "conversations") array');
  const messages = list.map((m, i) => {
    const o = (m ?? {}) as Record<string, unknown>;
    const role = chatRoleOf(o.role ?? o.from);
    const content = o.content ?? o.value;
    if (!role) throw bad(`message ${i} has an unknown role ${JSON.stringify(o.role ?? o.from)}`);
    if (typeof content !== "string") throw bad(`message ${i} has no string "content"`);
    return { role, content };
  });
  return { ...(typeof r.id === "string" || typeof r.id === "number" ? { id: String(r.id) } : {}), messages };
}

/** Every row of a JSONL training file (see rowToExample); typed errors name the file and line. */
export async function readTrainingExamplesFile(file: string): Promise<TrainingExample[]> {
  const out: TrainingExample[] = [];
  try {
    for await (const line of readJsonLines(file)) {
      if (!line.ok) {
        throw new CftkitError("LM_TRAIN_BAD_ROW", `${file}:${line.lineNumber}: ${line.reason}`, {
          details: { file, line: line.lineNumber },
        });
      }
      out.push(rowToExample(line.value, file, line.lineNumber));
    }
  } catch (error) {
    if (isCftkitError(error)) throw error;
    throw new CftkitError("LM_TRAIN_DATA_UNREADABLE", `cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (out.length === 0) throw new CftkitError("LM_NO_TRAINING_DATA", `${file} holds no rows`);
  return out;
}
