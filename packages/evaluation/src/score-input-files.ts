/**
 * The files the standalone scorers read (`cftkit eval qa`, `eval rouge`): a reference data set, predictions
 * in the official `{id: answer}` layout or as rows, and one text per line.
 */
import { readFile } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";

/** A JSON file, with typed errors naming what it is (`dataset`, `predictions`). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read ${what} ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CftkitError("EVAL_BAD_JSON", `${what} ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** `{id: answer}` (the official format), or JSONL / a JSON array of `{id, prediction}` (or `prediction_text`). */
export async function readPredictions(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, "utf8").catch((cause: unknown) => {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read predictions ${path}`, { cause });
  });
  const fromRows = (rows: unknown[], where: (i: number) => string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [i, row] of rows.entries()) {
      const r = row as { id?: unknown; prediction?: unknown; prediction_text?: unknown };
      const pred = r.prediction ?? r.prediction_text;
      if (typeof r.id !== "string" || typeof pred !== "string") {
        throw new CftkitError(
          "EVAL_BAD_PREDICTIONS",
          `${where(i)}: expected {"id": string, "prediction": string}`,
        );
      }
      out[r.id] = pred;
    }
    return out;
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("{") && !path.endsWith(".jsonl")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_JSON", `predictions ${path} is not valid JSON`, { cause });
    }
    for (const [id, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== "string")
        throw new CftkitError("EVAL_BAD_PREDICTIONS", `${path}: prediction for ${id} is not a string`);
    }
    return value as Record<string, string>;
  }
  if (trimmed.startsWith("[")) {
    const value = (await readJsonFile(path, "predictions")) as unknown[];
    return fromRows(value, (i) => `${path} item ${i}`);
  }
  const rows: unknown[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_PREDICTIONS", `${path} line ${i + 1}: not valid JSON`, { cause });
    }
  }
  if (rows.length === 0) throw new CftkitError("EVAL_EMPTY_PREDICTIONS", `${path} holds no predictions`);
  return fromRows(rows, (i) => `${path} row ${i + 1}`);
}

/** One text per line; `.jsonl` rows may be strings or objects with text/summary/prediction/target/reference. */
export async function readTexts(path: string, what: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((cause: unknown) => {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read ${what} ${path}`, { cause });
  });
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (!path.endsWith(".jsonl")) return lines.map((l) => l.replace(/\r$/, ""));
  return lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_JSON", `${path} line ${i + 1}: not valid JSON`, { cause });
    }
    if (typeof v === "string") return v;
    const o = (v ?? {}) as Record<string, unknown>;
    for (const key of ["text", "summary", "prediction", "target", "reference"]) {
      if (typeof o[key] === "string") return o[key] as string;
    }
    throw new CftkitError(
      "EVAL_BAD_TEXTS",
      `${path} line ${i + 1}: expected a string or an object with a "text" field`,
    );
  });
}
