import { CftkitError } from "@cftkit/core";
import { alignEnglish, type InstructionRecord, normaliseText, sampleRecords } from "@cftkit/datasets";

export interface ReplaySelectionOptions {
  /** Replay size as a fraction of the Phase-2 size (0.10 → 10 % of |Phase 2|)… */
  ratio?: number;
  /** …or as a count. */
  count?: number;
  seed: number;
  /** Evaluation sets: English items that appear in them (by id, parallel_id or normalised instruction) are never replayed. */
  exclude?: readonly InstructionRecord[];
}

export interface ReplaySelection {
  /** The English counterparts chosen, in Phase-2 order. */
  records: InstructionRecord[];
  /** round(ratio × |Phase 2|) or count. */
  target: number;
  /** Distinct English counterparts the Phase-2 set has (before exclusion). */
  available: number;
  /** target − chosen, when too few counterparts were left. */
  shortfall: number;
  phase2Size: number;
  /** Phase-2 records without an English counterpart. */
  missingEnglish: number;
  /** Counterparts left out because an evaluation set contains them. */
  excluded: { total: number; byId: number; byParallelId: number; byInstruction: number };
  seed: number;
  ratio: number | null;
}

/** The keys an evaluation set is matched on. */
export interface ExclusionIndex {
  ids: Set<string>;
  parallelIds: Set<string>;
  instructions: Set<string>;
}

export function buildExclusionIndex(records: readonly InstructionRecord[]): ExclusionIndex {
  const index: ExclusionIndex = { ids: new Set(), parallelIds: new Set(), instructions: new Set() };
  for (const r of records) {
    index.ids.add(r.id);
    if (r.parallel_id !== undefined) index.parallelIds.add(r.parallel_id);
    const n = normaliseText(r.instruction);
    if (n !== "") index.instructions.add(n);
  }
  return index;
}

/** Why `record` is excluded (or null). Instruction matching ignores case, punctuation and spacing. */
export function exclusionReason(
  record: InstructionRecord,
  index: ExclusionIndex,
): "id" | "parallel_id" | "instruction" | null {
  if (index.ids.has(record.id)) return "id";
  if (record.parallel_id !== undefined && index.parallelIds.has(record.parallel_id)) return "parallel_id";
  if (index.instructions.has(normaliseText(record.instruction))) return "instruction";
  return null;
}

/**
 * Choose the English items to replay: the English counterparts (by `parallel_id`) of the Phase-2 records,
 * each at most once, minus the evaluation items, then a seeded sample of round(ratio × |Phase 2|) (or
 * `count`). Without a Phase-2 set (`phase2 === null`) the English records themselves are the candidates and
 * the ratio is taken of their number.
 */
export function selectReplayItems(
  phase2: readonly InstructionRecord[] | null,
  english: readonly InstructionRecord[],
  options: ReplaySelectionOptions,
): ReplaySelection {
  if ((options.ratio === undefined) === (options.count === undefined)) {
    throw new CftkitError("REPLAY_BAD_OPTION", "give exactly one of ratio or count");
  }
  if (options.ratio !== undefined && !(Number.isFinite(options.ratio) && options.ratio >= 0)) {
    throw new CftkitError("REPLAY_BAD_OPTION", `ratio must be a number ≥ 0, got ${options.ratio}`);
  }
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0)) {
    throw new CftkitError("REPLAY_BAD_OPTION", `count must be an integer ≥ 0, got ${options.count}`);
  }
  let counterparts: InstructionRecord[];
  let missingEnglish = 0;
  if (phase2 === null) counterparts = dedupById(english);
  else {
    const aligned = alignEnglish(phase2, english);
    missingEnglish = aligned.missing.length;
    counterparts = dedupById(aligned.pairs.map((p) => p.english));
  }
  const base = phase2 === null ? english.length : phase2.length;
  const target = options.count ?? Math.round(options.ratio! * base);
  const index = buildExclusionIndex(options.exclude ?? []);
  const excluded = { total: 0, byId: 0, byParallelId: 0, byInstruction: 0 };
  const candidates: InstructionRecord[] = [];
  for (const r of counterparts) {
    const why = exclusionReason(r, index);
    if (why === null) candidates.push(r);
    else {
      excluded.total++;
      if (why === "id") excluded.byId++;
      else if (why === "parallel_id") excluded.byParallelId++;
      else excluded.byInstruction++;
    }
  }
  const records = sampleRecords(candidates, {
    count: Math.min(target, candidates.length),
    seed: options.seed,
  });
  return {
    records,
    target,
    available: counterparts.length,
    shortfall: target - records.length,
    phase2Size: base,
    missingEnglish,
    excluded,
    seed: options.seed,
    ratio: options.ratio ?? null,
  };
}

function dedupById(records: readonly InstructionRecord[]): InstructionRecord[] {
  const seen = new Set<string>();
  const out: InstructionRecord[] = [];
  for (const r of records) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}
