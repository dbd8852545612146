import { createReadStream, promises as fs } from "node:fs";
import { basename, join } from "node:path";
import { createGunzip } from "node:zlib";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { JsonArrayScanner } from "./json-array-scanner.js";
import { DEFAULT_MAX_LINE_BYTES, isCftkitError, LineSplitter, printable, type SplitLine } from "@cftkit/core";
import type { DataIssue, IssueKind } from "./load-summary.js";

/** A raw row of a data file before it becomes a record: its parsed value, or why it could not be parsed. */
export type RawRow =
  | { ok: true; file: string; line?: number; row?: number; value: unknown }
  | { ok: false; file: string; line?: number; row?: number; issue: DataIssue };

/** A problem with a whole file (it ends the file's rows). */
export class FileIssueError extends Error {
  constructor(readonly issue: DataIssue) {
    super(issue.message);
  }
}

function fileIssue(
  kind: IssueKind,
  file: string,
  message: string,
  extra: Partial<DataIssue> = {},
): FileIssueError {
  return new FileIssueError({ kind, file, message, ...extra });
}

const DATA_FILE = /\.(jsonl|ndjson|json|parquet)(\.gz)?$/i;

/** `path` itself when it is a file; else the data files under the folder (recursive, sorted). */
export async function listDataFiles(path: string): Promise<string[]> {
  let stat: import("node:fs").Stats;
  try {
    stat = await fs.stat(path);
  } catch {
    throw fileIssue("DATA_NOT_FOUND", path, "no such file or folder");
  }
  if (stat.isFile()) return [path];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (DATA_FILE.test(entry.name)) found.push(full);
    }
  };
  await walk(path);
  if (found.length === 0) {
    throw fileIssue(
      "DATA_NO_DATA_FILES",
      path,
      "folder holds no data files (.json, .jsonl, .parquet, optionally .gz)",
    );
  }
  return found;
}

export type Container = "jsonl" | "json" | "parquet";

/** The container layout from the file name (`.gz` stripped). */
export function containerOf(file: string): Container | null {
  const name = basename(file).toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "jsonl";
  if (name.endsWith(".json")) return "json";
  if (name.endsWith(".parquet")) return "parquet";
  return null;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.open(file, "r");
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Text chunks of a file, gunzipped when it is gzip (by magic bytes). A broken gzip stream → DATA_BAD_GZIP. */
export async function* textChunks(file: string): AsyncGenerator<string> {
  const gz = await isGzip(file);
  if (!gz && file.toLowerCase().endsWith(".gz")) {
    throw fileIssue("DATA_BAD_GZIP", file, "file name ends in .gz but the file is not gzip data");
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on("error", (e) => stream.destroy(e));
  const decoder = new TextDecoder("utf-8");
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) yield text;
    }
  } catch (error) {
    if (gz)
      throw fileIssue(
        "DATA_BAD_GZIP",
        file,
        `gzip data is corrupt or truncated: ${(error as Error).message}`,
      );
    throw error;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/** Byte chunks of a file, gunzipped when it is gzip (by magic bytes). A broken gzip stream → DATA_BAD_GZIP. */
export async function* byteChunks(file: string): AsyncGenerator<Buffer> {
  const gz = await isGzip(file);
  if (!gz && file.toLowerCase().endsWith(".gz")) {
    throw fileIssue("DATA_BAD_GZIP", file, "file name ends in .gz but the file is not gzip data");
  }
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on("error", (e) => stream.destroy(e));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (gz)
      throw fileIssue(
        "DATA_BAD_GZIP",
        file,
        `gzip data is corrupt or truncated: ${(error as Error).message}`,
      );
    throw error;
  }
}

/**
 * Rows of a JSONL file, one per non-blank line with its 1-based line number, in batches (one per chunk
 * read). Lines are split on bytes by core's LineSplitter (UTF-8 BOM dropped, CRLF, a bound on the line
 * length: a line longer than `maxLineBytes` ends the file with DATA_LINE_TOO_LONG instead of being buffered).
 */
export async function* jsonlRows(
  file: string,
  options: { maxLineBytes?: number } = {},
): AsyncGenerator<RawRow[]> {
  const splitter = new LineSplitter(file, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let any = false;
  const parse = (lines: SplitLine[]): RawRow[] => {
    const out: RawRow[] = [];
    for (const { bytes, lineNumber: line } of lines) {
      const text = bytes.toString("utf8");
      if (text.trim() === "") continue;
      any = true;
      try {
        out.push({ ok: true, file, line, value: JSON.parse(text) });
      } catch (error) {
        const message = `malformed JSON line: ${printable((error as Error).message, 300)}`;
        out.push({ ok: false, file, line, issue: { kind: "DATA_MALFORMED_JSON", file, line, message } });
      }
    }
    return out;
  };
  try {
    for await (const chunk of byteChunks(file)) {
      const out = parse(splitter.push(chunk));
      if (out.length > 0) yield out;
    }
    const out = parse(splitter.end());
    if (out.length > 0) yield out;
  } catch (error) {
    if (isCftkitError(error) && error.code === "LINE_TOO_LONG") {
      const line = error.details.line as number;
      throw fileIssue("DATA_LINE_TOO_LONG", file, error.message.slice(file.length + 2), { line });
    }
    throw error;
  }
  if (!any) throw fileIssue("DATA_EMPTY_FILE", file, "file holds no rows");
}

/** A `.json` file: a top-level array streams element by element; any other document is parsed whole. */
export async function* jsonRows(
  file: string,
): AsyncGenerator<RawRow[] | { ok: true; file: string; document: unknown }> {
  const scanner = new JsonArrayScanner();
  let isArray: boolean | null = null;
  let whole: string[] = [];
  let sawText = false;
  for await (const chunk of textChunks(file)) {
    if (!sawText && chunk.trim() !== "") sawText = true;
    if (isArray === false) {
      whole.push(chunk);
      continue;
    }
    let elements: ReturnType<JsonArrayScanner["push"]>;
    try {
      elements = scanner.push(chunk);
      if (scanner.isStarted) isArray = true;
    } catch {
      isArray = false;
      whole.push(chunk);
      continue;
    }
    const out: RawRow[] = [];
    for (const el of elements) {
      try {
        out.push({ ok: true, file, line: el.line, row: el.index, value: JSON.parse(el.text) });
      } catch (error) {
        const reason = printable((error as Error).message, 300);
        out.push({
          ok: false,
          file,
          line: el.line,
          row: el.index,
          issue: {
            kind: "DATA_MALFORMED_JSON",
            file,
            line: el.line,
            row: el.index,
            message: `malformed array element: ${reason}`,
          },
        });
      }
    }
    if (out.length > 0) yield out;
  }
  if (!sawText) throw fileIssue("DATA_EMPTY_FILE", file, "file is empty");
  if (isArray === false) {
    const text = whole.join("");
    whole = [];
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      // A .json file that is really JSON Lines.
      const firstLine = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
      let firstOk = false;
      try {
        JSON.parse(firstLine);
        firstOk = true;
      } catch {}
      if (firstOk && text.indexOf("\n") >= 0) {
        yield* jsonlRows(file);
        return;
      }
      const message = printable((error as Error).message, 300);
      const truncated = /end of (JSON )?input|Unterminated|Unexpected end/i.test(message);
      throw fileIssue(
        truncated ? "DATA_TRUNCATED_JSON" : "DATA_MALFORMED_JSON",
        file,
        truncated ? `JSON document is truncated: ${message}` : `malformed JSON: ${message}`,
      );
    }
    yield { ok: true, file, document };
    return;
  }
  if (!scanner.complete) {
    if (scanner.insideElement) {
      const line = scanner.elementStartLine;
      yield [
        {
          ok: false,
          file,
          line,
          row: scanner.elementsSeen,
          issue: {
            kind: "DATA_TRUNCATED_JSON",
            file,
            line,
            row: scanner.elementsSeen,
            message: "JSON array is truncated inside this element",
          },
        },
      ];
    }
    throw fileIssue(
      "DATA_TRUNCATED_JSON",
      file,
      `JSON array is truncated (no closing ']' at line ${scanner.currentLine}, after ${scanner.elementsSeen} complete elements)`,
      { line: scanner.currentLine },
    );
  }
  if (scanner.trailingGarbage) {
    throw fileIssue("DATA_MALFORMED_JSON", file, "unexpected text after the closing ']' of the JSON array");
  }
  if (scanner.elementsSeen === 0) throw fileIssue("DATA_EMPTY_FILE", file, "JSON array is empty");
}

/** Parquet rows, one row group at a time (bounded memory); `required` columns must exist. */
export async function* parquetRows(file: string, required: string[] = []): AsyncGenerator<RawRow[]> {
  let stat: import("node:fs").Stats;
  try {
    stat = await fs.stat(file);
  } catch {
    throw fileIssue("DATA_NOT_FOUND", file, "no such file");
  }
  if (stat.size === 0) throw fileIssue("DATA_EMPTY_FILE", file, "file is empty");
  const buffer = await asyncBufferFromFile(file);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw fileIssue(
      "DATA_PARQUET_UNREADABLE",
      file,
      `not a readable parquet file: ${(error as Error).message}`,
    );
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  for (const col of required) {
    if (!columns.includes(col)) {
      throw fileIssue(
        "DATA_PARQUET_MISSING_COLUMN",
        file,
        `parquet file lacks column "${col}" (has: ${columns.join(", ")})`,
      );
    }
  }
  let rowStart = 0;
  if (Number(metadata.num_rows) === 0) throw fileIssue("DATA_EMPTY_FILE", file, "parquet file has no rows");
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
    } catch (error) {
      throw fileIssue(
        "DATA_PARQUET_UNREADABLE",
        file,
        `cannot decode rows ${rowStart}-${rowEnd - 1}: ${(error as Error).message}`,
        { row: rowStart },
      );
    }
    yield rows.map((value, i): RawRow => ({ ok: true, file, row: rowStart + i, value }));
    rowStart = rowEnd;
  }
}
