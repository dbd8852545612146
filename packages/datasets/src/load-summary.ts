import { CftkitError, printable } from "@cftkit/core";

/** What went wrong with a row or a file. Each kind is also the `CftkitError` code thrown with `onError: "fail"`. */
export type IssueKind =
  | "DATA_MALFORMED_JSON"
  | "DATA_BAD_FIELD_TYPE"
  | "DATA_MISSING_FIELD"
  | "DATA_EMPTY_FIELD"
  | "DATA_BAD_LANGUAGE"
  | "DATA_BAD_GZIP"
  | "DATA_TRUNCATED_JSON"
  | "DATA_PARQUET_MISSING_COLUMN"
  | "DATA_PARQUET_UNREADABLE"
  | "DATA_UNKNOWN_FORMAT"
  | "DATA_EMPTY_FILE"
  | "DATA_NO_DATA_FILES"
  | "DATA_NOT_FOUND"
  | "DATA_BAD_LAYOUT"
  | "DATA_LINE_TOO_LONG"
  | "DATA_EMPTY_OUTPUT";

/** One problem: the file, the 1-based line (text files) or 0-based row (parquet, JSON array element index), and why. */
export interface DataIssue {
  kind: IssueKind;
  file: string;
  line?: number;
  row?: number;
  message: string;
}

/**
 * The accounting of one load/convert: every row read is either written or skipped (`read = written +
 * skipped`), skipped rows are counted per kind in `reasons`; file-level problems (bad gzip, empty file,
 * unknown layout, ...) are listed in `fileIssues` (with `onError: "skip"` the rest of that file is skipped).
 */
export interface LoadSummary {
  files: string[];
  read: number;
  written: number;
  skipped: number;
  reasons: Partial<Record<IssueKind, number>>;
  /** The first `maxIssues` row issues (all are counted in `reasons`). */
  issues: DataIssue[];
  fileIssues: DataIssue[];
  /** Records kept with an empty output (prompt-only rows); not an error unless `requireOutput`. */
  emptyOutput: number;
}

export const MAX_ISSUES_KEPT = 100;

export function createLoadSummary(): LoadSummary {
  return {
    files: [],
    read: 0,
    written: 0,
    skipped: 0,
    reasons: {},
    issues: [],
    fileIssues: [],
    emptyOutput: 0,
  };
}

/** One line naming the file, line/row and problem; user bytes in it (binary, control characters) escaped. */
export function formatIssue(issue: DataIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) where += `:${issue.line}`;
  if (issue.row !== undefined) where += ` (row ${issue.row})`;
  return printable(`${where}: ${issue.message}`, 2000);
}

export function issueError(issue: DataIssue): CftkitError {
  return new CftkitError(issue.kind, formatIssue(issue), { exitCode: 2, details: { ...issue } });
}

/** Merge `b` into `a` (for multi-input commands such as `data mix`). */
export function mergeSummaries(a: LoadSummary, b: LoadSummary): LoadSummary {
  a.files.push(...b.files);
  a.read += b.read;
  a.written += b.written;
  a.skipped += b.skipped;
  for (const [k, v] of Object.entries(b.reasons) as [IssueKind, number][])
    a.reasons[k] = (a.reasons[k] ?? 0) + v;
  a.issues.push(...b.issues.slice(0, Math.max(0, MAX_ISSUES_KEPT - a.issues.length)));
  a.fileIssues.push(...b.fileIssues);
  a.emptyOutput += b.emptyOutput;
  return a;
}

/** The summary as the `--json` output of `cftkit data` prints it (snake_case keys). */
export function loadSummaryJson(summary: LoadSummary) {
  const { read, written, skipped, reasons, emptyOutput, issues, fileIssues, files } = summary;
  return {
    read,
    written,
    skipped,
    reasons,
    empty_output: emptyOutput,
    issues,
    file_issues: fileIssues,
    files,
  };
}

/** The summary as log lines: the counts, the first five skipped rows and every skipped file. */
export function loadSummaryLines(summary: LoadSummary): string[] {
  const reasons = Object.entries(summary.reasons)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return [
    `read ${summary.read}, written ${summary.written}, skipped ${summary.skipped}${reasons ? ` (${reasons})` : ""}`,
    ...summary.issues
      .slice(0, 5)
      .map((issue) => `  skipped ${issue.file}${issue.line ? `:${issue.line}` : ""}: ${issue.message}`),
    ...summary.fileIssues.map((issue) => `  file skipped: ${issue.file}: ${issue.message}`),
  ];
}
