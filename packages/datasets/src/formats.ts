import { type ChatMessage, chatRoleOf } from "@cftkit/core";
import type { IssueKind } from "./load-summary.js";
import { normaliseLanguageTag } from "./language-tag.js";
import { qaTemplateFor } from "./qa-templates.js";
import type { InstructionRecord } from "./record.js";

export type DatasetFormat =
  | "auto"
  | "alpaca"
  | "multialpaca"
  | "openorca"
  | "sharegpt"
  | "messages"
  | "squad"
  | "mt-bench"
  | "ifeval"
  | "cftkit";

export const DATASET_FORMATS: DatasetFormat[] = [
  "auto",
  "alpaca",
  "multialpaca",
  "openorca",
  "sharegpt",
  "messages",
  "squad",
  "mt-bench",
  "ifeval",
  "cftkit",
];

/** Where each record field comes from in a custom layout: `{ instruction: "q", output: "a" }` (dotted paths allowed). */
export type FieldMapping = Partial<
  Record<"id" | "language" | "instruction" | "input" | "output" | "system" | "parallel_id" | "group", string>
>;

/** A record before its language is settled (the loader fills it from option, file name or detection). */
export type DraftRecord = Omit<InstructionRecord, "language"> & { language?: string };

export type MapResult =
  | { ok: true; records: DraftRecord[] }
  | { ok: false; kind: IssueKind; message: string };

export interface MapContext {
  /** Index of the row within its file (0-based). */
  index: number;
  source: string;
  fields?: FieldMapping;
  qaTemplate?: string | Record<string, string>;
  /** Language known for the whole file (option or file name), used by the squad template. */
  fileLanguage?: string;
  /** An empty output is bad input (else it is kept). */
  requireOutput: boolean;
}

class RowError extends Error {
  constructor(
    readonly kind: IssueKind,
    message: string,
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function get(obj: Record<string, unknown>, path: string): unknown {
  if (!path.includes(".")) return obj[path];
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "bigint" ? "a bigint" : `a ${typeof value}`;
}

/** A required text field: present, a string, and (unless allowEmpty) not blank. */
function text(obj: Record<string, unknown>, key: string, allowEmpty = false): string {
  const value = get(obj, key);
  if (value === undefined || value === null)
    throw new RowError("DATA_MISSING_FIELD", `missing required field "${key}"`);
  if (typeof value !== "string") {
    throw new RowError("DATA_BAD_FIELD_TYPE", `field "${key}" must be a string, got ${describe(value)}`);
  }
  if (!allowEmpty && value.trim() === "") throw new RowError("DATA_EMPTY_FIELD", `field "${key}" is empty`);
  return value;
}

function optionalText(obj: Record<string, unknown>, key: string): string | undefined {
  const value = get(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new RowError("DATA_BAD_FIELD_TYPE", `field "${key}" must be a string, got ${describe(value)}`);
  }
  return value;
}

/** An identifier: string, number or bigint (parquet INT64) → string. */
function optionalId(obj: Record<string, unknown>, key: string): string | undefined {
  const value = get(obj, key);
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  throw new RowError(
    "DATA_BAD_FIELD_TYPE",
    `field "${key}" must be a string or number, got ${describe(value)}`,
  );
}

function optionalLanguage(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = get(obj, key);
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") {
      throw new RowError(
        "DATA_BAD_FIELD_TYPE",
        `field "${key}" must be a language tag string, got ${describe(value)}`,
      );
    }
    const tag = normaliseLanguageTag(value);
    if (!tag)
      throw new RowError("DATA_BAD_LANGUAGE", `field "${key}" is not a BCP-47 language tag: "${value}"`);
    return tag;
  }
  return undefined;
}

function requireObject(value: unknown): Record<string, unknown> {
  if (!isObject(value))
    throw new RowError("DATA_BAD_FIELD_TYPE", `row must be a JSON object, got ${describe(value)}`);
  return value;
}

function withId(ctx: MapContext, id: string | undefined): string {
  return id ?? `${ctx.source}:${ctx.index}`;
}

function mapAlpaca(value: unknown, ctx: MapContext): DraftRecord[] {
  const row = requireObject(value);
  const f = ctx.fields ?? {};
  const instructionKey = f.instruction ?? "instruction";
  const outputKey = f.output ?? "output";
  const inputKey = f.input ?? "input";
  let output: string;
  let input: string | undefined;
  // Self-instruct seed tasks: {id, instruction, instances: [{input, output}]}.
  if (get(row, outputKey) === undefined && Array.isArray(row.instances) && !f.output) {
    const first = row.instances[0];
    if (!isObject(first))
      throw new RowError("DATA_MISSING_FIELD", `"instances" holds no {input, output} object`);
    output = text(first, "output", !ctx.requireOutput);
    input = optionalText(first, "input");
  } else {
    output = text(row, outputKey, !ctx.requireOutput);
    input = optionalText(row, inputKey);
  }
  const instruction = text(row, instructionKey);
  const id = optionalId(row, f.id ?? "id");
  const record: DraftRecord = {
    id: withId(ctx, id),
    instruction,
    output,
    source: ctx.source,
  };
  if (input !== undefined && input !== "") record.input = input;
  const system = optionalText(row, f.system ?? "system");
  if (system) record.system = system;
  const language = optionalLanguage(row, f.language ? [f.language] : ["language", "lang", "locale"]);
  if (language) record.language = language;
  const parallel = f.parallel_id
    ? optionalId(row, f.parallel_id)
    : (optionalId(row, "parallel_id") ?? optionalId(row, "seed_task_id") ?? optionalId(row, "seed_id"));
  if (parallel) record.parallel_id = parallel;
  else if (id && !f.parallel_id && Array.isArray(row.instances)) record.parallel_id = id;
  const group = f.group ? optionalId(row, f.group) : undefined;
  if (group) record.group = group;
  return [record];
}

function mapOpenOrca(value: unknown, ctx: MapContext): DraftRecord[] {
  const row = requireObject(value);
  const id = optionalId(row, "id");
  const record: DraftRecord = {
    id: withId(ctx, id),
    instruction: text(row, "question"),
    output: text(row, "response", !ctx.requireOutput),
    source: ctx.source,
  };
  const system = optionalText(row, "system_prompt");
  if (system) record.system = system;
  if (id) record.parallel_id = id;
  const language = optionalLanguage(row, ["language", "lang"]);
  if (language) record.language = language;
  return [record];
}

function mapChat(value: unknown, ctx: MapContext, layout: "sharegpt" | "messages"): DraftRecord[] {
  const row = requireObject(value);
  const key = layout === "sharegpt" ? "conversations" : "messages";
  const roleKey = layout === "sharegpt" ? "from" : "role";
  const contentKey = layout === "sharegpt" ? "value" : "content";
  const turns = row[key];
  if (turns === undefined || turns === null)
    throw new RowError("DATA_MISSING_FIELD", `missing required field "${key}"`);
  if (!Array.isArray(turns))
    throw new RowError("DATA_BAD_FIELD_TYPE", `field "${key}" must be an array, got ${describe(turns)}`);
  const messages: ChatMessage[] = [];
  let system: string | undefined;
  turns.forEach((turn, i) => {
    if (!isObject(turn))
      throw new RowError("DATA_BAD_FIELD_TYPE", `${key}[${i}] must be an object, got ${describe(turn)}`);
    const roleRaw = text(turn, roleKey);
    const role = chatRoleOf(roleRaw.toLowerCase());
    if (!role)
      throw new RowError("DATA_BAD_FIELD_TYPE", `${key}[${i}].${roleKey} is an unknown role "${roleRaw}"`);
    const content = text(turn, contentKey, true);
    if (role === "system") {
      if (messages.length === 0 && system === undefined) system = content;
      else messages.push({ role, content });
    } else messages.push({ role, content });
  });
  const firstUser = messages.findIndex((m) => m.role === "user");
  if (firstUser < 0) throw new RowError("DATA_MISSING_FIELD", `${key} has no user turn`);
  const instruction = messages[firstUser]!.content;
  if (instruction.trim() === "")
    throw new RowError("DATA_EMPTY_FIELD", `${key}: the first user turn is empty`);
  const reply = messages.slice(firstUser + 1).find((m) => m.role === "assistant");
  if (ctx.requireOutput && (!reply || reply.content.trim() === "")) {
    throw new RowError(
      reply ? "DATA_EMPTY_FIELD" : "DATA_MISSING_FIELD",
      `${key}: ${reply ? "the first assistant turn is empty" : "no assistant turn"}`,
    );
  }
  const id = optionalId(row, "id");
  const record: DraftRecord = {
    id: withId(ctx, id),
    instruction,
    output: reply?.content ?? "",
    messages,
    source: ctx.source,
  };
  if (system) record.system = system;
  const language = optionalLanguage(row, ["language", "lang"]);
  if (language) record.language = language;
  const parallel = optionalId(row, "parallel_id");
  if (parallel) record.parallel_id = parallel;
  return [record];
}

function mapMtBench(value: unknown, ctx: MapContext): DraftRecord[] {
  const row = requireObject(value);
  const qid = optionalId(row, "question_id");
  if (!qid) throw new RowError("DATA_MISSING_FIELD", `missing required field "question_id"`);
  const turns = row.turns;
  if (turns === undefined) throw new RowError("DATA_MISSING_FIELD", `missing required field "turns"`);
  if (!Array.isArray(turns) || turns.some((t) => typeof t !== "string")) {
    throw new RowError("DATA_BAD_FIELD_TYPE", `field "turns" must be an array of strings`);
  }
  if (turns.length === 0 || (turns[0] as string).trim() === "")
    throw new RowError("DATA_EMPTY_FIELD", `"turns" is empty`);
  const record: DraftRecord = {
    id: `${ctx.source}:${qid}`,
    instruction: turns[0] as string,
    output: "",
    source: ctx.source,
    parallel_id: qid,
  };
  const category = optionalText(row, "category");
  if (category) record.group = category;
  const language = optionalLanguage(row, ["language", "lang"]);
  if (language) record.language = language;
  return [record];
}

function mapIfeval(value: unknown, ctx: MapContext): DraftRecord[] {
  const row = requireObject(value);
  const key = optionalId(row, "key");
  const record: DraftRecord = {
    id: `${ctx.source}:${key ?? ctx.index}`,
    instruction: text(row, "prompt"),
    output: "",
    source: ctx.source,
  };
  if (key) record.parallel_id = key;
  const language = optionalLanguage(row, ["language", "lang"]);
  if (language) record.language = language;
  return [record];
}

function mapCftkit(value: unknown, ctx: MapContext): DraftRecord[] {
  const row = requireObject(value);
  const id = optionalId(row, "id");
  if (!id) throw new RowError("DATA_MISSING_FIELD", `missing required field "id"`);
  const language = optionalLanguage(row, ["language"]);
  const record: DraftRecord = {
    id,
    instruction: text(row, "instruction"),
    output: text(row, "output", !ctx.requireOutput),
    source: optionalText(row, "source") ?? ctx.source,
  };
  if (language) record.language = language;
  for (const key of ["input", "system", "parallel_id", "group"] as const) {
    const v = optionalText(row, key);
    if (v !== undefined) record[key] = v;
  }
  if (row.messages !== undefined) {
    const [withMessages] = mapChat({ messages: row.messages }, { ...ctx, requireOutput: false }, "messages");
    record.messages = withMessages!.messages;
    if (withMessages!.system)
      record.messages = [{ role: "system", content: withMessages!.system }, ...record.messages!];
  }
  return [record];
}

/** Map one JSON row of `format` to draft records (or the reason it cannot be). */
export function mapRow(
  format: Exclude<DatasetFormat, "auto" | "squad">,
  value: unknown,
  ctx: MapContext,
): MapResult {
  try {
    switch (format) {
      case "alpaca":
      case "multialpaca":
        return { ok: true, records: mapAlpaca(value, ctx) };
      case "openorca":
        return { ok: true, records: mapOpenOrca(value, ctx) };
      case "sharegpt":
        return { ok: true, records: mapChat(value, ctx, "sharegpt") };
      case "messages":
        return { ok: true, records: mapChat(value, ctx, "messages") };
      case "mt-bench":
        return { ok: true, records: mapMtBench(value, ctx) };
      case "ifeval":
        return { ok: true, records: mapIfeval(value, ctx) };
      case "cftkit":
        return { ok: true, records: mapCftkit(value, ctx) };
    }
  } catch (error) {
    if (error instanceof RowError) return { ok: false, kind: error.kind, message: error.message };
    throw error;
  }
}

/** One question of a SQuAD-layout document, or the reason it cannot become a record. */
export type SquadItem =
  | { ok: true; record: DraftRecord; where: string }
  | { ok: false; kind: IssueKind; message: string; where: string };

/**
 * Walk a SQuAD v1.1-layout document (`{data: [{title, paragraphs: [{context, qas: [{id, question,
 * answers}]}]}]}`) and yield one QA instruction record per question: instruction = template + context,
 * input = question, output = first answer, parallel_id = question id, group = article title.
 */
export function* squadItems(document: unknown, ctx: Omit<MapContext, "index">): Generator<SquadItem> {
  if (!isObject(document) || !Array.isArray(document.data)) {
    yield {
      ok: false,
      kind: "DATA_BAD_LAYOUT",
      message: `expected {"data": [...]} (SQuAD layout)`,
      where: "document",
    };
    return;
  }
  const language = ctx.fileLanguage ?? "en";
  const template = qaTemplateFor(language, ctx.qaTemplate);
  const articles = document.data as unknown[];
  for (let a = 0; a < articles.length; a++) {
    const article = articles[a];
    const at = `data[${a}]`;
    if (!isObject(article) || !Array.isArray(article.paragraphs)) {
      yield {
        ok: false,
        kind: "DATA_BAD_FIELD_TYPE",
        message: `${at} must be {title, paragraphs: [...]}`,
        where: at,
      };
      continue;
    }
    const title = typeof article.title === "string" ? article.title : `article-${a}`;
    const paragraphs = article.paragraphs as unknown[];
    for (let p = 0; p < paragraphs.length; p++) {
      const para = paragraphs[p];
      const pt = `${at}.paragraphs[${p}]`;
      if (!isObject(para) || typeof para.context !== "string" || !Array.isArray(para.qas)) {
        yield {
          ok: false,
          kind: "DATA_BAD_FIELD_TYPE",
          message: `${pt} must be {context: string, qas: [...]}`,
          where: pt,
        };
        continue;
      }
      const context = para.context;
      const qas = para.qas as unknown[];
      for (let q = 0; q < qas.length; q++) {
        const where = `${pt}.qas[${q}]`;
        try {
          const qa = requireObject(qas[q]);
          const qid = optionalId(qa, "id");
          if (!qid) throw new RowError("DATA_MISSING_FIELD", `missing required field "id"`);
          const question = text(qa, "question");
          const answers = qa.answers;
          if (!Array.isArray(answers))
            throw new RowError("DATA_MISSING_FIELD", `missing required field "answers"`);
          let output = "";
          if (answers.length > 0) {
            const first = requireObject(answers[0]);
            output = text(first, "text", !ctx.requireOutput);
          } else if (ctx.requireOutput) throw new RowError("DATA_EMPTY_FIELD", `"answers" is empty`);
          const record: DraftRecord = {
            id: `${ctx.source}:${qid}`,
            instruction: `${template}\n\n${context}`,
            input: question,
            output,
            source: ctx.source,
            parallel_id: qid,
            group: title,
          };
          yield { ok: true, record, where };
        } catch (error) {
          if (error instanceof RowError)
            yield { ok: false, kind: error.kind, message: `${where}: ${error.message}`, where };
          else throw error;
        }
      }
    }
  }
}

/** Guess the layout of a row from its keys; null when it matches none. */
export function detectRowFormat(value: unknown): Exclude<DatasetFormat, "auto" | "squad"> | null {
  if (!isObject(value)) return null;
  const has = (k: string) => k in value;
  if (has("id") && has("language") && has("instruction") && has("output") && has("source")) return "cftkit";
  if (has("question_id") && has("turns")) return "mt-bench";
  if (has("prompt") && (has("instruction_id_list") || has("key"))) return "ifeval";
  if (has("conversations")) return "sharegpt";
  if (has("messages")) return "messages";
  if (has("question") && has("response")) return "openorca";
  if (has("instruction") && (has("output") || has("instances")))
    return has("language") || has("lang") ? "multialpaca" : "alpaca";
  return null;
}

/** True when a parsed document has the SQuAD layout. */
export function isSquadDocument(value: unknown): boolean {
  return (
    isObject(value) &&
    Array.isArray(value.data) &&
    (value.data.length === 0 || (isObject(value.data[0]) && "paragraphs" in (value.data[0] as object)))
  );
}

/** Columns a parquet file of `format` must have. */
export function requiredColumns(format: DatasetFormat, fields?: FieldMapping): string[] {
  switch (format) {
    case "alpaca":
    case "multialpaca":
      return [fields?.instruction ?? "instruction", fields?.output ?? "output"].map((k) => k.split(".")[0]!);
    case "openorca":
      return ["question", "response"];
    case "sharegpt":
      return ["conversations"];
    case "messages":
      return ["messages"];
    case "mt-bench":
      return ["question_id", "turns"];
    case "ifeval":
      return ["prompt"];
    case "cftkit":
      return ["id", "instruction", "output"];
    default:
      return [];
  }
}
