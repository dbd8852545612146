import { readFile } from "node:fs/promises";
import { CftkitError, type ChatMessage, chatRoleOf, readJsonLines, SeededRandom } from "@cftkit/core";
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

/**
 * Read a plan dataset into chat examples: JSONL (one row a line) or a JSON array; `alpaca` rows
 * (`instruction`, optional `input`, `output`, optional `system`) become user/assistant messages (user =
 * instruction + "\n\n" + input, as `@cftkit/datasets` does); `chat_template` rows keep their messages
 * (`role`/`content`, ShareGPT-style `from`/`value` accepted). Bad rows fail naming file and line.
 */
export async function readTrainingExamples(dataset: PlanDataset): Promise<TrainingExampleRow[]> {
  const out: TrainingExampleRow[] = [];
  let head: string;
  try {
    head = (await readFile(dataset.path, "utf8")).trimStart();
  } catch (error) {
    throw new CftkitError(
      "TRAIN_DATASET_MISSING",
      `cannot read dataset ${dataset.path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (head.startsWith("[")) {
    let rows: unknown;
    try {
      rows = JSON.parse(head);
    } catch (error) {
      throw new CftkitError(
        "TRAIN_DATASET_INVALID",
        `${dataset.path}: not valid JSON: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(rows))
      throw new CftkitError("TRAIN_DATASET_INVALID", `${dataset.path}: expected a JSON array`);
    rows.forEach((row, i) => {
      out.push(rowToExample(row, dataset, i + 1));
    });
    return out;
  }
  for await (const line of readJsonLines(dataset.path)) {
    if (!line.ok) fail(dataset.path, line.lineNumber, `not valid JSON (${line.reason})`);
    out.push(rowToExample(line.value, dataset, line.lineNumber));
  }
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
