import { CftkitError, SeededRandom } from "@cftkit/core";
import type { InstructionRecord } from "./record.js";
import { sampleRecords } from "./sample.js";

export interface MixPart {
  records: readonly InstructionRecord[];
  /** Take this many records of the part (sampled, seeded)... */
  count?: number;
  /** ...or this share of the mixed output (ratios are normalised over the parts that give one). */
  ratio?: number;
  name?: string;
}

export interface MixOptions {
  seed: number;
  /** Total size when parts give ratios (default: the largest total the parts allow without repeats). */
  total?: number;
  /** Shuffle the mixed output (default true). */
  shuffle?: boolean;
}

export interface MixResult {
  records: InstructionRecord[];
  parts: { name: string; available: number; taken: number }[];
  seed: number;
}

/** Mix several sets by count or by ratio, seeded; each part is sampled without replacement. */
export function mixRecords(parts: MixPart[], options: MixOptions): MixResult {
  const ratios = parts.filter((p) => p.ratio !== undefined);
  if (ratios.length > 0 && ratios.length !== parts.length) {
    throw new CftkitError("DATA_BAD_OPTION", "give every mix part a ratio, or every part a count", {
      exitCode: 2,
    });
  }
  let takes: number[];
  if (ratios.length > 0) {
    const sum = parts.reduce((a, p) => a + p.ratio!, 0);
    if (!(sum > 0))
      throw new CftkitError("DATA_BAD_OPTION", "mix ratios must sum to more than 0", { exitCode: 2 });
    const shares = parts.map((p) => p.ratio! / sum);
    const maxTotal = Math.min(
      ...parts.map((p, i) => (shares[i]! > 0 ? p.records.length / shares[i]! : Number.POSITIVE_INFINITY)),
    );
    const total = options.total ?? Math.floor(maxTotal + 1e-9);
    // Largest-remainder rounding, so the parts add up to exactly `total`.
    const exact = shares.map((sh) => sh * total);
    takes = exact.map(Math.floor);
    const order = exact
      .map((e, i) => ({ i, rem: e - Math.floor(e) }))
      .sort((a, b) => b.rem - a.rem || a.i - b.i);
    for (let k = 0, given = takes.reduce((a, b) => a + b, 0); given < total; k++, given++)
      takes[order[k % order.length]!.i]!++;
    takes.forEach((want, i) => {
      if (want > parts[i]!.records.length) {
        throw new CftkitError(
          "DATA_BAD_OPTION",
          `mix part ${parts[i]!.name ?? i} has ${parts[i]!.records.length} records, ${want} needed for total ${total}`,
          { exitCode: 2 },
        );
      }
    });
  } else takes = parts.map((p) => Math.min(p.count ?? p.records.length, p.records.length));
  const root = new SeededRandom(options.seed);
  const mixed: InstructionRecord[] = [];
  parts.forEach((p, i) => {
    mixed.push(...sampleRecords(p.records, { count: takes[i]!, seed: root.fork(`part-${i}`).int(2 ** 31) }));
  });
  if (options.shuffle ?? true) root.fork("shuffle").shuffle(mixed);
  return {
    records: mixed,
    parts: parts.map((p, i) => ({
      name: p.name ?? `part-${i}`,
      available: p.records.length,
      taken: takes[i]!,
    })),
    seed: options.seed,
  };
}
