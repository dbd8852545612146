import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { CftkitError, type ProgressReporter, silentProgress } from "@cftkit/core";
import { type MultipleChoiceResult, scoreMultipleChoice } from "@cftkit/metrics";
import { parseCsv } from "./csv.js";
import type { EvalModel } from "./eval-model.js";

/** One zero-shot multiple-choice question: the context text and each choice's continuation (leading space included). */
export interface MultipleChoiceTaskItem {
  id: string;
  context: string;
  choices: string[];
  gold: number;
}

export interface MultipleChoiceTaskResult extends MultipleChoiceResult {
  logLikelihoods: number[][];
}

/** Score every choice by log p(choice | context) and compute lm-eval's acc / acc_norm. */
export async function multipleChoiceTask(
  model: EvalModel,
  items: MultipleChoiceTaskItem[],
  options: { progress?: ProgressReporter; batchSize?: number; label?: string } = {},
): Promise<MultipleChoiceTaskResult> {
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? 64;
  progress.start(options.label ?? `multiple choice ${model.id}`, items.length);
  const logLikelihoods: number[][] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const requests = batch.flatMap((item) =>
      item.choices.map((c) => ({ context: item.context, continuation: c })),
    );
    const results = await model.logLikelihood(requests);
    let k = 0;
    for (const item of batch) {
      logLikelihoods.push(item.choices.map(() => results[k++]!.logprob));
    }
    progress.update({ done: logLikelihoods.length });
  }
  progress.stop();
  const score = scoreMultipleChoice(
    items.map((item, i) => ({ logLikelihoods: logLikelihoods[i]!, choices: item.choices, gold: item.gold })),
  );
  return { ...score, logLikelihoods };
}

const LETTERS = ["A", "B", "C", "D"] as const;

function goldIndex(raw: unknown, where: string): number {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0 && raw < 4) return raw;
  if (typeof raw === "string") {
    const t = raw.trim();
    const letter = LETTERS.indexOf(t.toUpperCase() as (typeof LETTERS)[number]);
    if (letter >= 0) return letter;
    if (/^[0-3]$/.test(t)) return Number(t);
  }
  throw new CftkitError("EVAL_BAD_DATASET", `${where}: answer ${JSON.stringify(raw)} is not A-D or 0-3`);
}

/** lm-eval's MMLU / Global-MMLU prompt: question, lettered options, "Answer:"; choices " A".." D". */
export function mmluItem(
  id: string,
  question: string,
  options: string[],
  gold: number,
  subject?: string,
): MultipleChoiceTaskItem {
  const description = subject
    ? `The following are multiple choice questions (with answers) about ${subject.replaceAll("_", " ")}.\n\n`
    : "";
  const body = `${question.trim()}\n${options.map((o, i) => `${LETTERS[i]}. ${o}`).join("\n")}\nAnswer:`;
  return { id, context: description + body, choices: LETTERS.map((l) => ` ${l}`), gold };
}

async function readRows(
  path: string,
): Promise<{ header: string[] | null; rows: Record<string, unknown>[] | string[][] }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read ${path}`, { cause });
  }
  if (path.endsWith(".csv")) {
    const rows = parseCsv(text, path);
    const first = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
    if (first.includes("question")) return { header: first, rows: rows.slice(1) };
    return { header: null, rows };
  }
  if (path.endsWith(".json")) {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) throw new CftkitError("EVAL_BAD_DATASET", `${path}: expected a JSON array`);
    return { header: null, rows: v as Record<string, unknown>[] };
  }
  const rows: Record<string, unknown>[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as Record<string, unknown>);
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_JSON", `${path} line ${i + 1}: not valid JSON`, { cause });
    }
  }
  return { header: null, rows };
}

/**
 * MMLU / Global-MMLU items from local files in their published layouts:
 * - original MMLU CSV (`<subject>_test.csv`, no header): question, A, B, C, D, answer letter;
 * - Global-MMLU CSV with a header: question, option_a … option_d, answer (letter), subject;
 * - JSONL / JSON (HF `cais/mmlu`: question, choices[4], answer 0-3, subject; Global-MMLU: option_a…d).
 */
export async function loadMmluItems(
  path: string,
  options: { limit?: number; subjectDescription?: boolean } = {},
): Promise<MultipleChoiceTaskItem[]> {
  const { header, rows } = await readRows(path);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const fileSubject = basename(path)
    .replace(/_(test|dev|val)\.csv$/, "")
    .replace(/\.(csv|jsonl?|json)$/, "");
  const describe = options.subjectDescription ?? true;
  const items: MultipleChoiceTaskItem[] = [];
  for (const [i, raw] of rows.entries()) {
    if (items.length >= limit) break;
    const where = `${path} row ${i + 1}`;
    let row: Record<string, unknown>;
    if (Array.isArray(raw)) {
      if (header) row = Object.fromEntries(header.map((h, k) => [h, raw[k]]));
      else {
        if (raw.length < 6)
          throw new CftkitError("EVAL_BAD_DATASET", `${where}: expected question,A,B,C,D,answer`);
        row = { question: raw[0], choices: raw.slice(1, 5), answer: raw[5], subject: fileSubject };
      }
    } else row = raw;
    const opts = Array.isArray(row.choices)
      ? (row.choices as unknown[]).map(String)
      : ["option_a", "option_b", "option_c", "option_d"].map((k) => row[k]);
    if (typeof row.question !== "string" || opts.length !== 4 || opts.some((o) => typeof o !== "string"))
      throw new CftkitError(
        "EVAL_BAD_DATASET",
        `${where}: expected question and 4 choices (choices[] or option_a..d)`,
      );
    const subject = describe && header === null && typeof row.subject === "string" ? row.subject : undefined;
    const id =
      typeof row.sample_id === "string" ? row.sample_id : typeof row.id === "string" ? row.id : String(i);
    items.push(mmluItem(id, row.question, opts as string[], goldIndex(row.answer, where), subject));
  }
  return items;
}

/** lm-eval's HellaSwag text clean-up (WikiHow artefacts). */
export function hellaswagPreprocess(text: string): string {
  return text
    .trim()
    .replaceAll(" [title]", ". ")
    .replace(/\[.*?\]/g, "")
    .replaceAll("  ", " ");
}

/** Python str.capitalize(): first character upper-cased, the rest lower-cased. */
function pyCapitalize(text: string): string {
  const chars = [...text];
  if (chars.length === 0) return text;
  return chars[0]!.toUpperCase() + chars.slice(1).join("").toLowerCase();
}

/**
 * HellaSwag items from the published JSONL (`ctx_a`, `ctx_b`, `activity_label`, `endings`, `label`), prompt as
 * lm-eval builds it: `preprocess(activity_label + ": " + ctx_a + " " + capitalize(ctx_b))`, choices
 * `" " + preprocess(ending)`; scored by acc_norm.
 */
export async function loadHellaswagItems(
  path: string,
  options: { limit?: number } = {},
): Promise<MultipleChoiceTaskItem[]> {
  const { rows } = await readRows(path);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: MultipleChoiceTaskItem[] = [];
  for (const [i, raw] of (rows as Record<string, unknown>[]).entries()) {
    if (items.length >= limit) break;
    const where = `${path} row ${i + 1}`;
    const { ctx_a, ctx_b, activity_label, endings, label } = raw as Record<string, unknown>;
    let ctxA = ctx_a;
    let ctxB = ctx_b;
    if (typeof ctxA !== "string" && typeof raw.ctx === "string") {
      ctxA = raw.ctx;
      ctxB = "";
    }
    if (typeof ctxA !== "string" || typeof ctxB !== "string" || !Array.isArray(endings))
      throw new CftkitError("EVAL_BAD_DATASET", `${where}: expected ctx_a, ctx_b (or ctx), endings`);
    const gold = typeof label === "number" ? label : Number.parseInt(String(label), 10);
    if (!Number.isInteger(gold) || gold < 0 || gold >= endings.length)
      throw new CftkitError(
        "EVAL_BAD_DATASET",
        `${where}: label ${JSON.stringify(label)} is not an ending index`,
      );
    const ctx = `${ctxA} ${pyCapitalize(ctxB)}`;
    items.push({
      id: typeof raw.ind === "number" || typeof raw.ind === "string" ? String(raw.ind) : String(i),
      context: hellaswagPreprocess(`${typeof activity_label === "string" ? activity_label : ""}: ${ctx}`),
      choices: (endings as unknown[]).map((e) => ` ${hellaswagPreprocess(String(e))}`),
      gold,
    });
  }
  return items;
}
