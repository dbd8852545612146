import { join } from "node:path";
import { CftkitError, checkOptions, SeededRandom } from "@cftkit/core";
import { alignEnglish, type InstructionRecord, normaliseText } from "@cftkit/datasets";
import { z } from "zod";

/**
 * How the English items are found (docs/semantics.md, "Replay"):
 * - `twins`: the Phase-2 records have English twins sharing `parallel_id` (MOpenOrca, XQuAD); the twins are
 *   the candidates.
 * - `counterpart`: no shared ids (MultiAlpaca ↔ Alpaca); the English counterpart *dataset* is sampled.
 * - `auto`: `twins` when at least one Phase-2 record has a twin, else `counterpart`.
 * In every mode the count is round(ratio × |Phase 2|) (§5.1 of the paper).
 */
export type ReplayMode = "twins" | "counterpart";
export const REPLAY_MODES = ["auto", "twins", "counterpart"] as const;

/** How many English items, and how they are found: selectReplay checks it, and `cftkit replay er|gr` build their flags from it. */
export const replaySizeSchema = z.object({
  ratio: z.number().gt(0).optional().describe("replay size as a fraction of the Phase-2 size (0.10 = 10%)"),
  count: z.uint32().min(1).optional().describe("replay size as a count"),
  seed: z.uint32().default(0).describe("sampling seed"),
  mode: z
    .enum(REPLAY_MODES)
    .default("auto")
    .describe(
      "twins: replay the English twins (shared parallel_id) of Phase-2 records; counterpart: sample the English counterpart dataset (no shared ids, e.g. MultiAlpaca ↔ Alpaca); auto: twins when any exist",
    ),
});

const file = () => z.string().min(1);

/**
 * The files and size of one replay run (`ReplayInputs` and its output folder), flat as `cftkit replay er|gr`
 * give them; `.meta({ path })` tells the CLI's path guard which are read and which is written. Exactly one of
 * `ratio` or `count` is given.
 */
export const replayInputsSchema = z
  .object({
    english: file()
      .meta({ path: "input" })
      .describe(
        "the English counterpart: twins sharing parallel_id with the Phase-2 set, or the counterpart dataset (Alpaca for MultiAlpaca)",
      ),
    phase2: file()
      .meta({ path: "input" })
      .optional()
      .describe(
        "the Phase-2 (multilingual) set; --ratio is a fraction of its size (without it, only --count is accepted)",
      ),
    exclude: z
      .array(file())
      .meta({ path: "input" })
      .optional()
      .describe("evaluation sets whose items are never replayed (by id, parallel_id, instruction)"),
    ...replaySizeSchema.shape,
    outDir: file()
      .meta({
        path: "output-folder",
        writes: (dir: string) => [join(dir, "replay.jsonl"), join(dir, "manifest.json")],
      })
      .describe("output folder (replay.jsonl, manifest.json)"),
  })
  .superRefine((inputs, ctx) => {
    if ((inputs.ratio === undefined) === (inputs.count === undefined))
      ctx.addIssue({ code: "custom", message: "give exactly one of --ratio or --count", path: ["ratio"] });
  });

export interface ReplaySelectionOptions {
  /** Replay size as a fraction of the Phase-2 size (0.10 → 10 % of |Phase 2|); needs a Phase-2 set… */
  ratio?: number;
  /** …or as a count. */
  count?: number;
  seed: number;
  /** Default `auto`. */
  mode?: ReplayMode | "auto";
  /** Evaluation sets: English items that appear in them (by id, parallel_id or normalised instruction) are never replayed. */
  exclude?: readonly InstructionRecord[];
}

export interface ReplaySelection {
  mode: ReplayMode;
  /** Why this mode: "chosen" (asked for), or what `auto` saw. */
  modeReason: string;
  /** The English items chosen (the first `target` of the seeded order), in the English set's order. */
  records: InstructionRecord[];
  /** The remaining candidates in seeded order: GR tops up from these when its filters drop generations. */
  reserve: InstructionRecord[];
  /** round(ratio × |Phase 2|) or count. */
  target: number;
  /** Candidates before exclusion (distinct twins, or distinct English records). */
  available: number;
  /** target − chosen, when too few candidates were left. */
  shortfall: number;
  /** |Phase 2|, or null when no Phase-2 set was given (only with `count`). */
  phase2Size: number | null;
  /** Phase-2 records without an English twin (twins mode; 0 otherwise). */
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

function checkSizeOptions(
  phase2: readonly InstructionRecord[] | null,
  options: ReplaySelectionOptions,
): void {
  if ((options.ratio === undefined) === (options.count === undefined)) {
    throw new CftkitError("REPLAY_BAD_OPTION", "give exactly one of ratio or count");
  }
  if (options.ratio !== undefined && !(Number.isFinite(options.ratio) && options.ratio >= 0)) {
    throw new CftkitError("REPLAY_BAD_OPTION", `ratio must be a number ≥ 0, got ${options.ratio}`);
  }
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0)) {
    throw new CftkitError("REPLAY_BAD_OPTION", `count must be an integer ≥ 0, got ${options.count}`);
  }
  // The ratio is of |Phase 2| (the paper's GR_5/GR_10/ER_10); it never silently becomes a share of the English set.
  if (phase2 === null && options.ratio !== undefined) {
    throw new CftkitError(
      "REPLAY_RATIO_NEEDS_PHASE2",
      "ratio is a fraction of the Phase-2 set's size: give the Phase-2 set (--phase2), or give a count (--count) to sample the English set alone",
    );
  }
  if (phase2 === null && options.mode === "twins") {
    throw new CftkitError("REPLAY_BAD_OPTION", "twins mode needs the Phase-2 set (--phase2)");
  }
  const { ratio, count, seed, mode } = options;
  checkOptions(replaySizeSchema, { ratio, count, seed, mode }, "REPLAY_BAD_OPTION");
}

/** The candidates of each mode, before exclusion, and which mode applies. */
function candidatesFor(
  phase2: readonly InstructionRecord[] | null,
  english: readonly InstructionRecord[],
  mode: ReplayMode | "auto",
): { mode: ReplayMode; modeReason: string; candidates: InstructionRecord[]; missingEnglish: number } {
  if (phase2 === null) {
    return {
      mode: "counterpart",
      modeReason: "no Phase-2 set given",
      candidates: dedupById(english),
      missingEnglish: 0,
    };
  }
  const aligned = alignEnglish(phase2, english);
  const twins = dedupById(aligned.pairs.map((p) => p.english));
  if (mode === "twins") {
    return { mode, modeReason: "chosen", candidates: twins, missingEnglish: aligned.missing.length };
  }
  if (mode === "counterpart") {
    return { mode, modeReason: "chosen", candidates: dedupById(english), missingEnglish: 0 };
  }
  if (twins.length > 0) {
    return {
      mode: "twins",
      modeReason: `auto: ${aligned.pairs.length} of ${phase2.length} Phase-2 records share a parallel_id with an English record`,
      candidates: twins,
      missingEnglish: aligned.missing.length,
    };
  }
  return {
    mode: "counterpart",
    modeReason: `auto: no Phase-2 record shares a parallel_id with the English set`,
    candidates: dedupById(english),
    missingEnglish: 0,
  };
}

/**
 * Choose the English items to replay: the candidates of the mode (the English twins of the Phase-2 records,
 * each once, or the English counterpart dataset), minus the evaluation items, in a seeded order; the first
 * round(ratio × |Phase 2|) (or `count`) are chosen and the rest kept in reserve for GR's top-ups. Throws
 * `REPLAY_NO_CANDIDATES` when nothing at all can be replayed; a partial shortfall is reported in `shortfall`.
 */
export function selectReplayItems(
  phase2: readonly InstructionRecord[] | null,
  english: readonly InstructionRecord[],
  options: ReplaySelectionOptions,
): ReplaySelection {
  checkSizeOptions(phase2, options);
  const found = candidatesFor(phase2, english, options.mode ?? "auto");
  const target = options.count ?? Math.round(options.ratio! * phase2!.length);
  const index = buildExclusionIndex(options.exclude ?? []);
  const excluded = { total: 0, byId: 0, byParallelId: 0, byInstruction: 0 };
  const candidates: InstructionRecord[] = [];
  for (const r of found.candidates) {
    const why = exclusionReason(r, index);
    if (why === null) candidates.push(r);
    else {
      excluded.total++;
      if (why === "id") excluded.byId++;
      else if (why === "parallel_id") excluded.byParallelId++;
      else excluded.byInstruction++;
    }
  }
  if (target > 0 && candidates.length === 0) {
    throw noCandidatesError(found.mode, phase2, english, found.candidates.length, excluded.total, target);
  }
  const position = new Map(candidates.map((r, i) => [r, i]));
  const order = new SeededRandom(options.seed).shuffle(candidates.slice());
  const chosen = order.slice(0, target).sort((a, b) => position.get(a)! - position.get(b)!);
  return {
    mode: found.mode,
    modeReason: found.modeReason,
    records: chosen,
    reserve: order.slice(target),
    target,
    available: found.candidates.length,
    shortfall: target - chosen.length,
    phase2Size: phase2?.length ?? null,
    missingEnglish: found.missingEnglish,
    excluded,
    seed: options.seed,
    ratio: options.ratio ?? null,
  };
}

function noCandidatesError(
  mode: ReplayMode,
  phase2: readonly InstructionRecord[] | null,
  english: readonly InstructionRecord[],
  available: number,
  excluded: number,
  target: number,
): CftkitError {
  const details = {
    mode,
    target,
    available,
    excluded,
    english: english.length,
    phase2: phase2?.length ?? null,
  };
  if (mode === "twins" && available === 0) {
    return new CftkitError(
      "REPLAY_NO_CANDIDATES",
      `no twins found: none of the ${phase2?.length ?? 0} Phase-2 records shares a parallel_id with the ${english.length} English records (to sample the English set as the counterpart dataset, use mode counterpart)`,
      { details },
    );
  }
  const cause =
    available === 0
      ? `English set too small: it has no records`
      : `English set too small: all ${available} candidates are in the evaluation sets`;
  return new CftkitError("REPLAY_NO_CANDIDATES", `${cause}; ${target} replay items were asked for`, {
    details,
  });
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
