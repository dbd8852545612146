import { open } from "node:fs/promises";
import { CftkitError, type ChatMessage, chatRoleOf, SeededRandom } from "@cftkit/core";
import { FileIssueError, jsonlRows, jsonRows } from "@cftkit/datasets";
import type { PlanDataset } from "./training-plan.js";

/** The embedded trainer's example: the same rows as the Axolotl `chat_template` export. */
export interface TrainingExampleRow {
  id?: string;
  messages: ChatMessage[];
}

function fail(path: string, line: number, message: string): never {
  throw new CftkitError("TRAIN_DATASET_INVALID", `${path}:${line}: ${message}`);
}

function rowToExample(row: unknown, dataset: PlanDataset, line: number): TrainingExampleRow {
  if (row === null || typeof row !== "object" || Array.isArray(row))
    fail(dataset.path, line, "expected an object row");
  const r = row as Record<string, unknown>;
  const id = typeof r.id === "string" ? r.id : typeof r.id === "number" ? String(r.id) : undefined;
  if (dataset.type === "alpaca") {
    const { instruction, input, output, system } = r;
    if (typeof instruction !== "string" || typeof output !== "string") {
      fail(dataset.path, line, "an alpaca row needs string `instruction` and `output` fields");
    }
    const user =
      typeof input === "string" && input.trim() !== "" ? `${instruction}\n\n${input}` : instruction;
    const messages: ChatMessage[] = [];
    if (typeof system === "string" && system !== "") messages.push({ role: "system", content: system });
    messages.push({ role: "user", content: user }, { role: "assistant", content: output });
    return id === undefined ? { messages } : { id, messages };
  }
  const list = r[dataset.field_messages];
  if (!Array.isArray(list) || list.length === 0) {
    fail(dataset.path, line, `a chat_template row needs a non-empty \`${dataset.field_messages}\` list`);
  }
  const messages = list.map((m, i): ChatMessage => {
    const msg = (m ?? {}) as Record<string, unknown>;
    const roleRaw = msg.role ?? msg.from;
    const content = msg.content ?? msg.value;
    const role = chatRoleOf(roleRaw);
    if (!role) fail(dataset.path, line, `message ${i}: unknown role ${JSON.stringify(roleRaw)}`);
    if (typeof content !== "string") fail(dataset.path, line, `message ${i}: content must be a string`);
    return { role, content };
  });
  if (!messages.some((m) => m.role === "assistant"))
    fail(dataset.path, line, "no assistant message to train on");
  return id === undefined ? { messages } : { id, messages };
}

/** The first non-blank character of a file: `[` means a JSON array, anything else JSON Lines. */
async function firstCharacter(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new CftkitError(
      "TRAIN_DATASET_MISSING",
      `cannot read dataset ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  try {
    const buffer = Buffer.alloc(4096);
    for (let position = 0; ; position += buffer.length) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return "";
      const text = buffer
        .toString("utf8", 0, bytesRead)
        .replace(/^\uFEFF/, "")
        .trimStart();
      if (text) return text[0]!;
    }
  } finally {
    await handle.close();
  }
}

/** Parsed rows of a JSON array or JSON Lines file, through @cftkit/datasets' streaming readers. */
async function* rawRows(path: string): AsyncGenerator<{ value: unknown; line: number }> {
  const array = (await firstCharacter(path)) === "[";
  try {
    for await (const batch of array ? jsonRows(path) : jsonlRows(path)) {
      if (!Array.isArray(batch))
        throw new CftkitError("TRAIN_DATASET_INVALID", `${path}: expected a JSON array`);
      for (const row of batch) {
        const line = array ? (row.row ?? 0) + 1 : (row.line ?? 0);
        if (!row.ok) fail(path, line, `not valid JSON (${row.issue.message})`);
        yield { value: row.value, line };
      }
    }
  } catch (error) {
    if (error instanceof FileIssueError)
      throw new CftkitError("TRAIN_DATASET_INVALID", `${path}: ${error.message}`);
    throw error;
  }
}

/**
 * Read a plan dataset into chat examples: JSONL (one row a line) or a JSON array; `alpaca` rows
 * (`instruction`, optional `input`, `output`, optional `system`) become user/assistant messages (user =
 * instruction + "\n\n" + input, as `@cftkit/datasets` does); `chat_template` rows keep their messages
 * (`role`/`content`, ShareGPT-style `from`/`value` accepted). Bad rows fail naming file and line.
 */
export async function readTrainingExamples(dataset: PlanDataset): Promise<TrainingExampleRow[]> {
  const out: TrainingExampleRow[] = [];
  for await (const { value, line } of rawRows(dataset.path)) out.push(rowToExample(value, dataset, line));
  return out;
}

/**
 * Hold out a validation set as Axolotl's `val_set_size` does: a fraction (< 1) or a row count (≥ 1),
 * chosen by a seeded shuffle.
 */
export function splitValidation<T>(
  rows: T[],
  valSetSize: number,
  seed: number,
): { train: T[]; validation: T[] } {
  if (valSetSize <= 0) return { train: rows, validation: [] };
  const count = valSetSize < 1 ? Math.round(rows.length * valSetSize) : Math.floor(valSetSize);
  if (count <= 0) return { train: rows, validation: [] };
  if (count >= rows.length) {
    throw new CftkitError(
      "TRAIN_VAL_SET_TOO_LARGE",
      `val_set_size ${valSetSize} leaves no training rows of ${rows.length}`,
    );
  }
  const order = new SeededRandom(seed).fork("val_set").shuffle(rows.map((_, i) => i));
  const held = new Set(order.slice(0, count));
  return { train: rows.filter((_, i) => !held.has(i)), validation: rows.filter((_, i) => held.has(i)) };
}
