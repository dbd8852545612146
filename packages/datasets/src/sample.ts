import { CftkitError, SeededRandom } from "@cftkit/core";
import type { InstructionRecord } from "./record.js";
import type { RecordSource } from "./records-jsonl.js";

export interface SampleOptions {
  /** How many records to keep (capped at the number available). */
  count?: number;
  /** Or which fraction to keep (0-1): round(ratio × n). */
  ratio?: number;
  seed: number;
  /** Keep each language's share (largest-remainder allocation), sampling within each language. */
  stratifyBy?: "language";
}

function targetCount(n: number, options: SampleOptions): number {
  if (options.count !== undefined && options.ratio !== undefined) {
    throw new CftkitError("DATA_BAD_OPTION", "give either count or ratio, not both", { exitCode: 2 });
  }
  if (options.count !== undefined) {
    if (!Number.isInteger(options.count) || options.count < 0) {
      throw new CftkitError("DATA_BAD_OPTION", `count must be a non-negative integer, got ${options.count}`, {
        exitCode: 2,
      });
    }
    return Math.min(options.count, n);
  }
  if (options.ratio !== undefined) {
    if (!(options.ratio >= 0 && options.ratio <= 1)) {
      throw new CftkitError("DATA_BAD_OPTION", `ratio must be within [0, 1], got ${options.ratio}`, {
        exitCode: 2,
      });
    }
    return Math.round(options.ratio * n);
  }
  throw new CftkitError("DATA_BAD_OPTION", "sampling needs count or ratio", { exitCode: 2 });
}

/** Split `total` over groups in proportion to their sizes (largest remainder, ties by key order). */
export function allocate(sizes: Map<string, number>, total: number): Map<string, number> {
  const n = [...sizes.values()].reduce((a, b) => a + b, 0);
  const out = new Map<string, number>();
  if (n === 0) return out;
  const rema: { key: string; rem: number }[] = [];
  let given = 0;
  for (const [key, size] of sizes) {
    const exact = (size * total) / n;
    const base = Math.min(size, Math.floor(exact));
    out.set(key, base);
    given += base;
    rema.push({ key, rem: exact - base });
  }
  rema.sort((a, b) => b.rem - a.rem || (a.key < b.key ? -1 : 1));
  for (let i = 0; given < total && rema.length > 0; i = (i + 1) % rema.length) {
    const { key } = rema[i]!;
    if (out.get(key)! < sizes.get(key)!) {
      out.set(key, out.get(key)! + 1);
      given++;
    }
  }
  return out;
}

/** Indices (ascending) of a seeded sample of `k` out of `n`. */
function sampleIndices(n: number, k: number, rng: SeededRandom): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return rng.sample(idx, k).sort((a, b) => a - b);
}

/**
 * A seeded sample of records, in their original order. The same seed and input always give the same
 * sample; stratified sampling keeps each language's share.
 */
export function sampleRecords(
  records: readonly InstructionRecord[],
  options: SampleOptions,
): InstructionRecord[] {
  const k = targetCount(records.length, options);
  const rng = new SeededRandom(options.seed);
  if (options.stratifyBy !== "language") return sampleIndices(records.length, k, rng).map((i) => records[i]!);
  const byLang = new Map<string, number[]>();
  records.forEach((r, i) => {
    let list = byLang.get(r.language);
    if (!list) byLang.set(r.language, (list = []));
    list.push(i);
  });
  const sizes = new Map(
    [...byLang].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([l, ix]) => [l, ix.length] as const),
  );
  const quota = allocate(sizes, k);
  const chosen: number[] = [];
  for (const [lang, ix] of byLang) {
    const picks = sampleIndices(ix.length, quota.get(lang) ?? 0, rng.fork(lang));
    for (const p of picks) chosen.push(ix[p]!);
  }
  return chosen.sort((a, b) => a - b).map((i) => records[i]!);
}

/**
 * A seeded choice of `k` of `n` positions as a bitmap (Floyd's algorithm: O(k) draws, n bytes of memory).
 * The same (n, k, seed) always gives the same positions.
 */
export function choosePositions(n: number, k: number, seed: number): Uint8Array {
  const rng = new SeededRandom(seed);
  const chosen = new Uint8Array(n);
  const take = Math.min(k, n);
  for (let j = n - take; j < n; j++) {
    const t = rng.int(j + 1);
    if (chosen[t]) chosen[j] = 1;
    else chosen[t] = 1;
  }
  return chosen;
}

/**
 * Sample a stream with bounded memory, output in input order:
 * - `count` with `total` (the stream's length, e.g. from a stats pass): exact seeded sample, memory =
 *   one byte per row (no record is held back);
 * - `count` alone: reservoir sampling (Algorithm R; memory = `count` records);
 * - `ratio`: keep each record with probability `ratio` (the count is then ≈ ratio × n), or exactly
 *   round(ratio × total) when `total` is given.
 */
export async function* sampleStream(
  records: RecordSource,
  options: Omit<SampleOptions, "stratifyBy"> & { total?: number },
): AsyncGenerator<InstructionRecord> {
  const rng = new SeededRandom(options.seed);
  if (options.total !== undefined) {
    const k = targetCount(options.total, options);
    const chosen = choosePositions(options.total, k, options.seed);
    let i = 0;
    for await (const r of records) {
      if (i < chosen.length && chosen[i]) yield r;
      i++;
    }
    return;
  }
  if (options.ratio !== undefined && options.count === undefined) {
    targetCount(0, options);
    for await (const r of records) if (rng.next() < options.ratio) yield r;
    return;
  }
  const k = targetCount(Number.MAX_SAFE_INTEGER, options);
  const reservoir: { i: number; r: InstructionRecord }[] = [];
  let seen = 0;
  for await (const r of records) {
    if (reservoir.length < k) reservoir.push({ i: seen, r });
    else {
      const j = rng.int(seen + 1);
      if (j < k) reservoir[j] = { i: seen, r };
    }
    seen++;
  }
  reservoir.sort((a, b) => a.i - b.i);
  for (const { r } of reservoir) yield r;
}
