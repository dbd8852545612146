import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { CftkitError } from "./cftkit-error.js";
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type SplitLine } from "./line-splitter.js";
import { printable } from "./printable.js";

/** One line of a JSONL file: the parsed value, or why it could not be parsed. */
export type JsonLine =
  | { ok: true; lineNumber: number; value: unknown }
  | { ok: false; lineNumber: number; text: string; reason: string };

export interface ReadJsonLinesOptions {
  /** Refuse a line longer than this (LINE_TOO_LONG); default 64 MiB. */
  maxLineBytes?: number;
}

/**
 * Stream a JSONL file (optionally `.gz`) line by line with bounded memory (a UTF-8 BOM is dropped, lines
 * are bounded: see LineSplitter). Blank lines are skipped; a line that is not valid JSON is yielded as
 * `{ ok: false }` so the caller decides (fail or skip).
 */
export async function* readJsonLines(
  path: string,
  options: ReadJsonLinesOptions = {},
): AsyncGenerator<JsonLine> {
  let input: AsyncIterable<Buffer>;
  try {
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      file.once("open", () => resolve());
      file.once("error", reject);
    });
    input = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  } catch (error) {
    throw new CftkitError("FILE_NOT_READABLE", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const splitter = new LineSplitter(path, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const parse = ({ bytes, lineNumber }: SplitLine): JsonLine | undefined => {
    const text = bytes.toString("utf8");
    if (text.trim() === "") return undefined;
    try {
      return { ok: true, lineNumber, value: JSON.parse(text) };
    } catch (error) {
      return { ok: false, lineNumber, text, reason: printable((error as Error).message, 300) };
    }
  };
  for await (const chunk of input) {
    for (const line of splitter.push(chunk)) {
      const parsed = parse(line);
      if (parsed) yield parsed;
    }
  }
  for (const line of splitter.end()) {
    const parsed = parse(line);
    if (parsed) yield parsed;
  }
}
