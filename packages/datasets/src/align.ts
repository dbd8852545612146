import type { InstructionRecord } from "./record.js";

export interface AlignResult {
  pairs: { record: InstructionRecord; english: InstructionRecord }[];
  /** Records whose English counterpart was not found. */
  missing: InstructionRecord[];
}

export interface AlignOptions {
  /** Link by `parallel_id` (default), or by any key (e.g. a seed-task id kept elsewhere). */
  key?: (r: InstructionRecord) => string | undefined;
  /** Also pair English records with themselves (default false: English records are left out). */
  includeEnglish?: boolean;
}

/**
 * Find each record's English counterpart by `parallel_id` (translations of one item share it). The
 * input of English replay (ER) and generative replay (GR).
 */
export function alignEnglish(
  records: Iterable<InstructionRecord>,
  english: Iterable<InstructionRecord>,
  options: AlignOptions = {},
): AlignResult {
  const key = options.key ?? ((r: InstructionRecord) => r.parallel_id);
  const index = new Map<string, InstructionRecord>();
  for (const e of english) {
    const k = key(e);
    if (k !== undefined && !index.has(k)) index.set(k, e);
  }
  const result: AlignResult = { pairs: [], missing: [] };
  for (const r of records) {
    if (!options.includeEnglish && r.language.split("-")[0] === "en") continue;
    const k = key(r);
    const e = k === undefined ? undefined : index.get(k);
    if (e) result.pairs.push({ record: r, english: e });
    else result.missing.push(r);
  }
  return result;
}
