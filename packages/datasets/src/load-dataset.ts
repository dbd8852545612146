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
  const state = readState(options);
  let files: string[];
  try {
    files = await listDataFiles(path);
  } catch (error) {
    if (error instanceof FileIssueError) throw issueError(error.issue);
    throw error;
  }
  state.progress.start(`reading ${basename(path)}`);
  for (const file of files) {
    state.summary.files.push(file);
    yield* streamFile(file, options, state);
  }
  state.progress.update({ done: state.summary.read, values: { skipped: state.summary.skipped } });
  state.progress.stop();
}

/** What the files of one `streamDataset` call share: the summary, the error mode and the progress count. */
interface ReadState {
  summary: LoadSummary;
  onError: "fail" | "skip";
  progress: ProgressReporter;
  /** The language option, normalised. */
  language: string | undefined;
  /** Rows read so far (for progress). */
  done: number;
  /** A whole file is bad: throw (fail) or note it in the summary and go on (skip). */
  fileIssue(issue: DataIssue): void;
}

function readState(options: LoadOptions): ReadState {
  const summary = options.summary ?? createLoadSummary();
  const onError = options.onError ?? "fail";
  const language = options.language ? normaliseLanguageTag(options.language) : undefined;
  if (options.language && !language) {
    throw new CftkitError("DATA_BAD_LANGUAGE", `--language "${options.language}" is not a BCP-47 tag`, {
      exitCode: 2,
    });
  }
  return {
    summary,
    onError,
    progress: options.progress ?? silentProgress,
    language: language ?? undefined,
    done: 0,
    fileIssue(issue) {
      if (onError === "fail") throw issueError(issue);
      summary.fileIssues.push(issue);
    },
  };
}

type RowFormat = Exclude<DatasetFormat, "auto" | "squad">;

/** One file being read: its layout (once known), row index, and how its rows are counted and finished. */
interface FileReading {
  file: string;
  format: DatasetFormat;
  rowFormat: RowFormat | null;
  index: number;
  ctxBase: Omit<MapContext, "index">;
  ctx: MapContext;
  state: ReadState;
  /** A bad row: counted as read and skipped (skip), or thrown (fail). */
  skipRow(kind: IssueKind, message: string, line?: number, row?: number): void;
  /** A mapped record: its language settled (declared, file, option, detected or default). */
  finish(draft: DraftRecord, format: DatasetFormat): InstructionRecord;
}

async function* streamFile(
  file: string,
  options: LoadOptions,
  state: ReadState,
): AsyncGenerator<InstructionRecord> {
  const reading = fileReading(file, options, state);
  const container = containerOf(file);
  if (!container) {
    state.fileIssue({
      kind: "DATA_UNKNOWN_FORMAT",
      file,
      message: "unknown file type (expected .json, .jsonl, .parquet)",
    });
    return;
  }
  const { format } = reading;
  let rows: AsyncGenerator<RawRow[] | { ok: true; file: string; document: unknown }>;
  if (container === "parquet")
    rows = parquetRows(file, format === "auto" ? [] : requiredColumns(format, options.fields));
  else if (container === "jsonl") rows = jsonlRows(file, { maxLineBytes: options.maxLineBytes });
  else rows = jsonRows(file);
  try {
    for await (const batch of rows) {
      if (!Array.isArray(batch)) yield* documentRecords(batch.document, reading);
      else if (!(yield* rowRecords(batch, reading))) break;
    }
  } catch (error) {
    if (error instanceof FileIssueError) state.fileIssue(error.issue);
    else throw error;
  }
}

function fileReading(file: string, options: LoadOptions, state: ReadState): FileReading {
  const { summary, onError } = state;
  const fileLanguage = state.language ?? languageFromFileName(file) ?? undefined;
  let format: DatasetFormat = options.format ?? "auto";
  if (format === "auto" && options.fields) format = "alpaca";
  const ctxBase = {
    source: options.source ?? sourceName(file),
    fields: options.fields,
    qaTemplate: options.qaTemplate,
    fileLanguage,
    requireOutput: options.requireOutput ?? false,
  };
  return {
    file,
    format,
    rowFormat: format === "auto" || format === "squad" ? null : format,
    index: 0,
    ctxBase,
    ctx: { ...ctxBase, index: 0 },
    state,
    skipRow(kind, message, line, row) {
      const issue: DataIssue = { kind, file, message };
      if (line !== undefined) issue.line = line;
      if (row !== undefined) issue.row = row;
      summary.read++;
      if (onError === "fail") throw issueError(issue);
      summary.skipped++;
      summary.reasons[kind] = (summary.reasons[kind] ?? 0) + 1;
      if (summary.issues.length < MAX_ISSUES_KEPT) summary.issues.push(issue);
    },
    finish(draft, fmt) {
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
    },
  };
}

/** A whole JSON document: the SQuAD layout (or a single object row). */
function* documentRecords(document: unknown, r: FileReading): Generator<InstructionRecord> {
  const { summary } = r.state;
  if (r.format === "squad" || (r.format === "auto" && isSquadDocument(document))) {
    for (const item of squadItems(document, r.ctxBase)) {
      if (item.ok) {
        summary.read++;
        summary.written++;
        yield r.finish(item.record, "squad");
      } else r.skipRow(item.kind, item.message, undefined, r.index);
      r.index++;
    }
    return;
  }
  const fmt = r.rowFormat ?? detectRowFormat(document);
  if (!fmt) {
    r.state.fileIssue({
      kind: "DATA_UNKNOWN_FORMAT",
      file: r.file,
      message: "JSON document matches no known layout",
    });
    return;
  }
  const result = mapRow(fmt, document, { ...r.ctxBase, index: 0 });
  if (result.ok) {
    for (const record of result.records) {
      summary.read++;
      summary.written++;
      yield r.finish(record, fmt);
    }
  } else r.skipRow(result.kind, result.message, 1);
}

/** A batch of rows (JSONL lines, array items, a parquet row group); false when the rest of the file is skipped. */
function* rowRecords(batch: RawRow[], r: FileReading): Generator<InstructionRecord, boolean> {
  const { summary } = r.state;
  for (const raw of batch) {
    if (!raw.ok) {
      r.skipRow(raw.issue.kind, raw.issue.message, raw.line, raw.row);
      r.index++;
      continue;
    }
    r.rowFormat ??= layoutOfFirstRow(raw.value, raw.line, r);
    if (!r.rowFormat) return false;
    r.ctx.index = r.index;
    const result = mapRow(r.rowFormat, raw.value, r.ctx);
    r.index++;
    if (result.ok) {
      for (const record of result.records) {
        summary.read++;
        summary.written++;
        yield r.finish(record, r.rowFormat);
      }
    } else r.skipRow(result.kind, result.message, raw.line, raw.row);
    if (++r.state.done % 10000 === 0)
      r.state.progress.update({ done: r.state.done, values: { skipped: summary.skipped } });
  }
  return true;
}

/** The layout of a file's rows, told from its first good row; null (after a file issue) when it cannot be. */
function layoutOfFirstRow(value: unknown, line: number | undefined, r: FileReading): RowFormat | null {
  if (r.format === "squad") {
    r.state.fileIssue({
      kind: "DATA_BAD_LAYOUT",
      file: r.file,
      message: `squad format expects one {"data": [...]} document`,
    });
    return null;
  }
  const detected = detectRowFormat(value);
  if (!detected) {
    const keys =
      typeof value === "object" && value ? Object.keys(value).slice(0, 12).join(", ") : typeof value;
    r.state.fileIssue({
      kind: "DATA_UNKNOWN_FORMAT",
      file: r.file,
      line,
      message: `cannot tell the data layout from the first row (keys: ${keys}); pass --from/format or fields`,
    });
    return null;
  }
  return detected;
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
