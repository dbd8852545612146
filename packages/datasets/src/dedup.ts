import type { InstructionRecord } from "./record.js";

/** Lower-case, drop punctuation and symbols (Unicode P* and S*), collapse whitespace, NFKC. */
export function normaliseText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/gu, " ")
    .trim();
}

export interface DedupOptions {
  /** `exact`: identical instruction/input/output; `normalised`: equal after normaliseText. */
  mode?: "exact" | "normalised";
  /** Compare per language (default true): a translation is never a duplicate of its source. */
  perLanguage?: boolean;
  /** Which fields make the key (default instruction + input + output). */
  key?: (r: InstructionRecord) => string;
}

/** Keep the first of each set of duplicates; also returns the dropped ones with the id they duplicate. */
export function dedupRecords(
  records: Iterable<InstructionRecord>,
  options: DedupOptions = {},
): { records: InstructionRecord[]; duplicates: { record: InstructionRecord; duplicateOf: string }[] } {
  const mode = options.mode ?? "exact";
  const perLanguage = options.perLanguage ?? true;
  const base =
    options.key ?? ((r: InstructionRecord) => `${r.instruction}\u0000${r.input ?? ""}\u0000${r.output}`);
  const firstId = new Map<string, string>();
  const kept: InstructionRecord[] = [];
  const duplicates: { record: InstructionRecord; duplicateOf: string }[] = [];
  for (const r of records) {
    let k = base(r);
    if (mode === "normalised")
      k = normaliseText(k.replace(/\u0000/g, " \u0001 ")).replace(/\u0001/g, "\u0000");
    if (perLanguage) k = `${r.language}\u0000${k}`;
    const prev = firstId.get(k);
    if (prev !== undefined) duplicates.push({ record: r, duplicateOf: prev });
    else {
      firstId.set(k, r.id);
      kept.push(r);
    }
  }
  return { records: kept, duplicates };
}
