import { CftkitError, SeededRandom } from "@cftkit/core";
import type { InstructionRecord } from "./record.js";

export interface SplitOptions {
  /** Share (0-1) or count (≥ 1) of validation records (or groups, with groupBy). */
  validation: number;
  seed: number;
  /** Keep all records sharing this key on one side (e.g. "group" = the article of a QA set, or "parallel_id"). */
  groupBy?: "group" | "parallel_id" | ((r: InstructionRecord) => string);
}

/** A seeded train/validation split; with `groupBy`, whole groups go to one side. Order is preserved. */
export function splitRecords(
  records: readonly InstructionRecord[],
  options: SplitOptions,
): { train: InstructionRecord[]; validation: InstructionRecord[]; seed: number } {
  if (!(options.validation >= 0))
    throw new CftkitError("DATA_BAD_OPTION", "validation must be ≥ 0", { exitCode: 2 });
  const key =
    options.groupBy === undefined
      ? null
      : typeof options.groupBy === "function"
        ? options.groupBy
        : (r: InstructionRecord) => (r[options.groupBy as "group" | "parallel_id"] ?? r.id) as string;
  const units: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    const u = key ? key(r) : String(i);
    if (!seen.has(u)) {
      seen.add(u);
      units.push(u);
    }
  });
  const k =
    options.validation < 1
      ? Math.round(options.validation * units.length)
      : Math.min(units.length, Math.floor(options.validation));
  const val = new Set(new SeededRandom(options.seed).sample(units, k));
  const train: InstructionRecord[] = [];
  const validation: InstructionRecord[] = [];
  records.forEach((r, i) => {
    (val.has(key ? key(r) : String(i)) ? validation : train).push(r);
  });
  return { train, validation, seed: options.seed };
}
