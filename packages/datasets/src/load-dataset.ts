import { basename, dirname } from "node:path";
import { type ProgressReporter, silentProgress } from "@cftkit/core";
import {
  type DatasetFormat,
  type DraftRecord,
  detectRowFormat,
  type FieldMapping,
  isSquadDocument,
  type MapContext,
  mapRow,
  requiredColumns,
  squadItems,
} from "./formats.js";
import { detectLanguage } from "./language-id.js";
import { languageFromFileName, normaliseLanguageTag } from "./language-tag.js";
import {
  createLoadSummary,
  type DataIssue,
  type IssueKind,
  issueError,
  type LoadSummary,
  MAX_ISSUES_KEPT,
} from "./load-summary.js";
import {
  containerOf,
  FileIssueError,
  jsonlRows,
  jsonRows,
  listDataFiles,
  parquetRows,
  type RawRow,
} from "./read-rows.js";
import type { InstructionRecord } from "./record.js";
import { CftkitError } from "@cftkit/core";

export interface LoadOptions {
  format?: DatasetFormat;
  /** The language of every record that does not declare one (wins over the file name and detection). */
  language?: string;
  /** `fail` (default): the first bad row or file throws a CftkitError naming it; `skip`: count it and go on. */
  onError?: "fail" | "skip";
  /** Custom layout: where each record field comes from (implies the alpaca mapper when format is auto). */
  fields?: FieldMapping;
  /** The records' `source` (default: the file name without extensions). */
  source?: string;
  /**
   * Detect the language of records without a tag (option, field or file name). Default: true for
   * multialpaca/sharegpt/messages/cftkit, false (→ "en") for alpaca/openorca/mt-bench/ifeval.
   */
  detectLanguage?: boolean;
  /** Restrict detection to these codes (much more accurate on short texts, see README). */
  languageCandidates?: string[];
  /** SQuAD layout: the instruction template (one string or per language). */
  qaTemplate?: string | Record<string, string>;
  /**
   * Treat an empty output as bad input (DATA_EMPTY_FIELD). Default false: an empty output is kept (prompt-only
   * sets such as MT-Bench or IFEval have none, and the public Alpaca subset has two) and counted in
   * `summary.emptyOutput`. An empty instruction is always bad input.
   */
  requireOutput?: boolean;
  /** JSONL: refuse a line longer than this many bytes (DATA_LINE_TOO_LONG); default 64 MiB. */
  maxLineBytes?: number;
  /** Filled in as rows are read: read = written + skipped, reasons per kind, issues. */
  summary?: LoadSummary;
  progress?: ProgressReporter;
}

const ENGLISH_BY_DEFAULT = new Set<DatasetFormat>(["alpaca", "openorca", "mt-bench", "ifeval"]);

function sourceName(file: string): string {
  const stem = basename(file)
    .replace(/\.gz$/i, "")
    .replace(/\.(jsonl|ndjson|json|parquet)$/i, "");
  // Generic stems (MT-Bench's question.jsonl, train.jsonl, ...) take the folder's name.
  if (/^(question|questions|data|train|test|validation|input_data)$/i.test(stem)) {
    const parent = basename(dirname(file));
    if (parent && parent !== "." && parent !== "/") return parent;
  }
  return stem;
}

/**
 * Stream the records of a file or folder (.json, .jsonl, .parquet, optionally .gz), in file order.
 * JSONL, top-level JSON arrays and parquet (per row group) stream with bounded memory; other JSON
 * documents (the SQuAD layout) are parsed whole.
 */
export async function* streamDataset(
  path: string,
  options: LoadOptions = {},
): AsyncGenerator<InstructionRecord> {
  const summary = options.summary ?? createLoadSummary();
  const onError = options.onError ?? "fail";
  const progress = options.progress ?? silentProgress;
  const optionLanguage = options.language ? normaliseLanguageTag(options.language) : undefined;
  if (options.language && !optionLanguage) {
    throw new CftkitError("DATA_BAD_LANGUAGE", `--language "${options.language}" is not a BCP-47 tag`, {
      exitCode: 2,
    });
  }
  const fileIssue = (issue: DataIssue) => {
    if (onError === "fail") throw issueError(issue);
    summary.fileIssues.push(issue);
  };
  let files: string[];
  try {
    files = await listDataFiles(path);
  } catch (error) {
    if (error instanceof FileIssueError) throw issueError(error.issue);
    throw error;
  }
  progress.start(`reading ${basename(path)}`);
  let done = 0;
  for (const file of files) {
    summary.files.push(file);
    const source = options.source ?? sourceName(file);
    const fileLanguage = optionLanguage ?? languageFromFileName(file) ?? undefined;
    const skipRow = (kind: IssueKind, message: string, line?: number, row?: number) => {
      const issue: DataIssue = { kind, file, message };
      if (line !== undefined) issue.line = line;
      if (row !== undefined) issue.row = row;
      summary.read++;
      if (onError === "fail") throw issueError(issue);
      summary.skipped++;
      summary.reasons[kind] = (summary.reasons[kind] ?? 0) + 1;
      if (summary.issues.length < MAX_ISSUES_KEPT) summary.issues.push(issue);
    };
    let format: DatasetFormat = options.format ?? "auto";
    if (format === "auto" && options.fields) format = "alpaca";
    const container = containerOf(file);
    if (!container) {
      fileIssue({
        kind: "DATA_UNKNOWN_FORMAT",
        file,
        message: "unknown file type (expected .json, .jsonl, .parquet)",
      });
      continue;
    }
    const finish = (draft: DraftRecord, fmt: DatasetFormat): InstructionRecord => {
      let language = draft.language ?? fileLanguage;
      if (!language) {
        const detect = options.detectLanguage ?? !ENGLISH_BY_DEFAULT.has(fmt);
        if (detect) {
          language = detectLanguage(`${draft.instruction}\n${draft.input ?? ""}`, {
            candidates: options.languageCandidates,
          });
        } else language = options.detectLanguage === false && !ENGLISH_BY_DEFAULT.has(fmt) ? "und" : "en";
      }
      if (draft.output === "") summary.emptyOutput++;
      draft.language = language;
      return draft as InstructionRecord;
    };
    const ctxBase = {
      source,
      fields: options.fields,
      qaTemplate: options.qaTemplate,
      fileLanguage,
      requireOutput: options.requireOutput ?? false,
    };
    let rows: AsyncGenerator<RawRow[] | { ok: true; file: string; document: unknown }>;
    if (container === "parquet")
      rows = parquetRows(file, format === "auto" ? [] : requiredColumns(format, options.fields));
    else if (container === "jsonl") rows = jsonlRows(file, { maxLineBytes: options.maxLineBytes });
    else rows = jsonRows(file);
    const ctx: MapContext = { ...ctxBase, index: 0 };
    let rowFormat: Exclude<DatasetFormat, "auto" | "squad"> | null =
      format === "auto" || format === "squad" ? null : format;
    let index = 0;
    try {
      fileLoop: for await (const batch of rows) {
        if (!Array.isArray(batch)) {
          const raw = batch;
          // A whole JSON document: the SQuAD layout (or a single object row).
          if (format === "squad" || (format === "auto" && isSquadDocument(raw.document))) {
            for (const item of squadItems(raw.document, ctxBase)) {
              if (item.ok) {
                summary.read++;
                summary.written++;
                yield finish(item.record, "squad");
              } else skipRow(item.kind, item.message, undefined, index);
              index++;
            }
            continue;
          }
          const fmt = rowFormat ?? detectRowFormat(raw.document);
          if (!fmt) {
            fileIssue({
              kind: "DATA_UNKNOWN_FORMAT",
              file,
              message: "JSON document matches no known layout",
            });
            continue;
          }
          const result = mapRow(fmt, raw.document, { ...ctxBase, index: 0 });
          if (result.ok) {
            for (const r of result.records) {
              summary.read++;
              summary.written++;
              yield finish(r, fmt);
            }
          } else skipRow(result.kind, result.message, 1);
          continue;
        }
        for (const raw of batch) {
          if (!raw.ok) {
            skipRow(raw.issue.kind, raw.issue.message, raw.line, raw.row);
            index++;
            continue;
          }
          if (!rowFormat) {
            if (format === "squad") {
              fileIssue({
                kind: "DATA_BAD_LAYOUT",
                file,
                message: `squad format expects one {"data": [...]} document`,
              });
              break fileLoop;
            }
            rowFormat = detectRowFormat(raw.value);
            if (!rowFormat) {
              const keys =
                typeof raw.value === "object" && raw.value
                  ? Object.keys(raw.value).slice(0, 12).join(", ")
                  : typeof raw.value;
              fileIssue({
                kind: "DATA_UNKNOWN_FORMAT",
                file,
                line: raw.line,
                message: `cannot tell the data layout from the first row (keys: ${keys}); pass --from/format or fields`,
              });
              break fileLoop;
            }
          }
          ctx.index = index;
          const result = mapRow(rowFormat, raw.value, ctx);
          index++;
          if (result.ok) {
            for (const r of result.records) {
              summary.read++;
              summary.written++;
              yield finish(r, rowFormat);
            }
          } else skipRow(result.kind, result.message, raw.line, raw.row);
          if (++done % 10000 === 0) progress.update({ done, values: { skipped: summary.skipped } });
        }
      }
    } catch (error) {
      if (error instanceof FileIssueError) fileIssue(error.issue);
      else throw error;
    }
  }
  progress.update({ done: summary.read, values: { skipped: summary.skipped } });
  progress.stop();
}

/** Every record of a file or folder, in memory. */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<InstructionRecord[]> {
  const out: InstructionRecord[] = [];
  for await (const r of streamDataset(path, options)) out.push(r);
  return out;
}

/** Like loadDataset, and also the accounting (read = written + skipped). */
export async function loadDatasetWithSummary(
  path: string,
  options: LoadOptions = {},
): Promise<{ records: InstructionRecord[]; summary: LoadSummary }> {
  const summary = options.summary ?? createLoadSummary();
  const records = await loadDataset(path, { ...options, summary });
  return { records, summary };
}
