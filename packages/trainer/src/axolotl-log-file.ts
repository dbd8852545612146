import { readFile } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";
import { parseAxolotlLog } from "./axolotl-log-parser.js";

export type ParsedAxolotlLog = ReturnType<typeof parseAxolotlLog>;

/**
 * Read and parse a saved Axolotl / Hugging Face Trainer log. A file with nothing that looks like one (no
 * metric dict, no progress bar, no failure signature) is refused (TRAIN_LOG_NOT_RECOGNISED, exit 2) rather
 * than reported as a run with no metrics.
 */
export async function readAxolotlLogFile(path: string): Promise<ParsedAxolotlLog> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CftkitError("FILE_NOT_READABLE", `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = parseAxolotlLog(text);
  if (parsed.metrics.length === 0 && parsed.progress === undefined && parsed.signals.length === 0) {
    throw new CftkitError(
      "TRAIN_LOG_NOT_RECOGNISED",
      `${path}: nothing in it looks like a Trainer log (no {'loss': …} metric lines, no progress bar, no known failure); save one with \`axolotl train … 2>&1 | tee train.log\``,
    );
  }
  return parsed;
}
