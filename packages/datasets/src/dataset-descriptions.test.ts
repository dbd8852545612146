import { describe, expect, it } from "vitest";
import { describeAlignment, describeDatasetStats, describeMix } from "./dataset-descriptions.js";
import type { DatasetStats } from "./stats.js";

const length = (min: number, max: number) => ({ min, max, mean: (min + max) / 2, p50: min, p95: max });

describe("dataset descriptions", () => {
  const stats: DatasetStats = {
    rows: 3,
    languages: { de: 1, en: 2 },
    sources: {},
    withInput: 1,
    multiTurn: 0,
    promptLength: length(2, 12),
    outputLength: length(1, 4),
    chars: { prompt: length(10, 60), output: length(5, 20) },
  };

  it("stats: the counts, languages most first, the lengths, then the agreement when checked", () => {
    const report = { checked: 3, agree: 2, agreement: 2 / 3, perLanguage: {}, mismatches: [] };
    expect(describeDatasetStats("d.json", stats, report)).toEqual([
      "d.json: 3 rows, 1 with input, 0 multi-turn",
      "language  rows",
      "--------  ----",
      "en        2",
      "de        1",
      "length (words)  min  p50  mean  p95  max",
      "--------------  ---  ---  ----  ---  ---",
      "prompt          2    2    7.0   12   12",
      "output          1    1    2.5   4    4",
      "language agreement: 66.67% of 3",
    ]);
    expect(describeDatasetStats("d.json", stats)).toHaveLength(9);
  });

  it("mix: each part's available and taken records, then the total", () => {
    const parts = [
      { name: "a.json", available: 10, taken: 9 },
      { name: "b", available: 3, taken: 1 },
    ];
    expect(describeMix(parts, 10, 4, "m.jsonl")).toEqual([
      "part    available  taken",
      "------  ---------  -----",
      "a.json  10         9",
      "b       3          1",
      "mixed 10 records (seed 4) → m.jsonl",
    ]);
  });

  it("alignment: records and aligned per language, then the totals", () => {
    const result = {
      records: 5,
      english: 2,
      non_english: 3,
      aligned: 2,
      missing: 1,
      missing_ids: ["x"],
      per_language: { de: { records: 2, aligned: 2 }, fr: { records: 1, aligned: 0 } },
    };
    expect(describeAlignment(result)).toEqual([
      "language  records  aligned",
      "--------  -------  -------",
      "de        2        2",
      "fr        1        0",
      "2 of 3 non-English records have an English counterpart; 1 missing",
    ]);
  });
});
