import { describe, expect, it } from "vitest";
import { alignEnglish } from "./align.js";
import { dedupRecords, normaliseText } from "./dedup.js";
import { countChars, filterByLength } from "./length-filter.js";
import { mixRecords } from "./mix.js";
import type { InstructionRecord } from "./record.js";
import { choosePositions, sampleRecords, sampleStream } from "./sample.js";
import { splitRecords } from "./split.js";

const rec = (i: number, language = "en", extra: Partial<InstructionRecord> = {}): InstructionRecord => ({
  id: `r${i}`,
  language,
  instruction: `instruction ${i}`,
  output: `output ${i}`,
  source: "test",
  ...extra,
});

const langs = ["en", "fr", "de"];
const records = Array.from({ length: 300 }, (_, i) => rec(i, langs[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2]));

describe("sampling", () => {
  it("is seeded, without repeats, in input order", () => {
    const a = sampleRecords(records, { count: 50, seed: 1 });
    expect(a.length).toBe(50);
    expect(new Set(a.map((r) => r.id)).size).toBe(50);
    expect(sampleRecords(records, { count: 50, seed: 1 })).toEqual(a);
    expect(sampleRecords(records, { count: 50, seed: 2 })).not.toEqual(a);
    const idx = a.map((r) => Number(r.id.slice(1)));
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
    expect(sampleRecords(records, { ratio: 0.1, seed: 3 }).length).toBe(30);
    expect(sampleRecords(records, { count: 1000, seed: 3 }).length).toBe(300);
  });

  it("stratified by language keeps each language's share", () => {
    const s = sampleRecords(records, { count: 100, seed: 4, stratifyBy: "language" });
    const count = (l: string) => s.filter((r) => r.language === l).length;
    expect([count("en"), count("fr"), count("de")]).toEqual([60, 30, 10]);
  });

  it("streams with a reservoir (same size, seeded)", async () => {
    const out: InstructionRecord[] = [];
    for await (const r of sampleStream(records, { count: 40, seed: 9 })) out.push(r);
    expect(out.length).toBe(40);
    expect(new Set(out.map((r) => r.id)).size).toBe(40);
    const again: InstructionRecord[] = [];
    for await (const r of sampleStream(records, { count: 40, seed: 9 })) again.push(r);
    expect(again).toEqual(out);
    const known: InstructionRecord[] = [];
    for await (const r of sampleStream(records, { count: 40, seed: 9, total: records.length })) known.push(r);
    expect(known.length).toBe(40);
    expect(new Set(known.map((r) => r.id)).size).toBe(40);
    const idx = known.map((r) => Number(r.id.slice(1)));
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
  });

  it("choosePositions is uniform enough: every position is picked about k/n of the time", () => {
    const hits = new Array(10).fill(0);
    for (let seed = 0; seed < 2000; seed++) {
      const c = choosePositions(10, 3, seed);
      expect(c.reduce((a, b) => a + b, 0)).toBe(3);
      c.forEach((v, i) => {
        hits[i] += v;
      });
    }
    for (const h of hits) expect(Math.abs(h / 2000 - 0.3)).toBeLessThan(0.05);
  });
});

describe("mixing, splitting, dedup, length filter", () => {
  it("mixes by ratio and by count", () => {
    const a = records.slice(0, 100);
    const b = Array.from({ length: 50 }, (_, i) => rec(1000 + i, "fr"));
    const byRatio = mixRecords(
      [
        { records: a, ratio: 0.9 },
        { records: b, ratio: 0.1 },
      ],
      { seed: 1, total: 100 },
    );
    expect(byRatio.parts.map((p) => p.taken)).toEqual([90, 10]);
    expect(byRatio.records.length).toBe(100);
    // Without a total: the largest mix the parts allow, rounded so the parts add up exactly.
    const widest = mixRecords(
      [
        { records: a, ratio: 0.9 },
        { records: b, ratio: 0.1 },
      ],
      { seed: 1 },
    );
    expect(widest.parts.map((p) => p.taken)).toEqual([100, 11]);
    expect(widest.records.length).toBe(111);
    const byCount = mixRecords(
      [
        { records: a, count: 10 },
        { records: b, count: 5 },
      ],
      { seed: 1 },
    );
    expect(byCount.records.filter((r) => Number(r.id.slice(1)) >= 1000).length).toBe(5);
    expect(byCount.records.length).toBe(15);
    expect(
      mixRecords(
        [
          { records: a, count: 10 },
          { records: b, count: 5 },
        ],
        { seed: 1 },
      ),
    ).toEqual(byCount);
  });

  it("splits by record or by group, seeded", () => {
    const s = splitRecords(records, { validation: 0.2, seed: 5 });
    expect([s.train.length, s.validation.length]).toEqual([240, 60]);
    const grouped = records.map((r, i) => ({ ...r, group: `article-${i % 12}` }));
    const g = splitRecords(grouped, { validation: 3, seed: 5, groupBy: "group" });
    const trainGroups = new Set(g.train.map((r) => r.group));
    const valGroups = new Set(g.validation.map((r) => r.group));
    expect(valGroups.size).toBe(3);
    for (const v of valGroups) expect(trainGroups.has(v)).toBe(false);
    expect(g.train.length + g.validation.length).toBe(300);
  });

  it("dedups exactly and after normalisation, per language", () => {
    const rows = [
      rec(1, "en", { instruction: "Hello, World!", output: "x" }),
      rec(2, "en", { instruction: "Hello, World!", output: "x" }),
      rec(3, "en", { instruction: "hello   world", output: "X." }),
      rec(4, "fr", { instruction: "Hello, World!", output: "x" }),
    ];
    expect(dedupRecords(rows).records.map((r) => r.id)).toEqual(["r1", "r3", "r4"]);
    const n = dedupRecords(rows, { mode: "normalised" });
    expect(n.records.map((r) => r.id)).toEqual(["r1", "r4"]);
    expect(n.duplicates.map((d) => [d.record.id, d.duplicateOf])).toEqual([
      ["r2", "r1"],
      ["r3", "r1"],
    ]);
    expect(normaliseText("  Ça   VA?! «bien»  ")).toBe("ça va bien");
  });

  it("filters by length with a pluggable counter", () => {
    const rows = [
      rec(1, "en", { instruction: "one two three", output: "four" }),
      rec(2, "en", { instruction: "a", output: "b" }),
    ];
    expect(filterByLength(rows, { min: 3 }).records.map((r) => r.id)).toEqual(["r1"]);
    const chars = filterByLength(rows, { max: 5, counter: countChars, text: "output" });
    expect(chars.records.length).toBe(2);
    const custom = filterByLength(rows, { max: 1, counter: (t) => t.split("o").length - 1 });
    expect(custom.dropped.map((d) => [d.record.id, d.length])).toEqual([["r1", 3]]);
  });
});

describe("English-counterpart alignment", () => {
  it("pairs by parallel_id and lists the missing", () => {
    const en = [rec(1, "en", { parallel_id: "p1" }), rec(2, "en", { parallel_id: "p2" })];
    const ml = [
      rec(3, "fr", { parallel_id: "p1" }),
      rec(4, "de", { parallel_id: "p2" }),
      rec(5, "de", { parallel_id: "p9" }),
      rec(6, "es"),
    ];
    const r = alignEnglish([...ml, ...en], en);
    expect(r.pairs.map((p) => [p.record.id, p.english.id])).toEqual([
      ["r3", "r1"],
      ["r4", "r2"],
    ]);
    expect(r.missing.map((m) => m.id)).toEqual(["r5", "r6"]);
    const bySeed = alignEnglish(
      [rec(7, "fr", { group: "seed_task_3" })],
      [rec(8, "en", { group: "seed_task_3" })],
      {
        key: (x) => x.group,
      },
    );
    expect(bySeed.pairs.length).toBe(1);
  });
});
