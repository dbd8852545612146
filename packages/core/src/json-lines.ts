import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { CftkitError } from "./cftkit-error.js";

/** One line of a JSONL file: the parsed value, or why it could not be parsed. */
export type JsonLine =
  | { ok: true; lineNumber: number; value: unknown }
  | { ok: false; lineNumber: number; text: string; reason: string };

/**
 * Stream a JSONL file (optionally `.gz`) line by line with bounded memory. Blank lines are skipped;
 * a line that is not valid JSON is yielded as `{ ok: false }` so the caller decides (fail or skip).
 */
export async function* readJsonLines(path: string): AsyncGenerator<JsonLine> {
  let input: NodeJS.ReadableStream;
  try {
    const file = createReadStream(path);
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
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === "") continue;
    try {
      yield { ok: true, lineNumber, value: JSON.parse(text) };
    } catch (error) {
      yield { ok: false, lineNumber, text, reason: (error as Error).message };
    }
  }
}
