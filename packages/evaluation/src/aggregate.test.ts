import { describe, expect, it } from "vitest";
import { type ScoredTask, abilityTable, phaseDeltas, summarizeAbilities, taskAbility } from "./aggregate.js";

/** A task result with the ability the one rule gives it. */
const task = (family: string, language: string, score: number): ScoredTask => ({
  task: `${family}_${language}`,
  family,
  language,
  ability: taskAbility(family, language),
  score,
});

// Paper Table 5, Mistral-7B Instruct → MultiAlpaca (first row). The multilingual families are spread over
// languages here whose means are the published family scores, so the per-family mean is exercised.
const row: ScoredTask[] = [
  task("ifeval", "en", 0.462),
  task("alpaca_eval", "en", 0.15),
  task("mmlu", "en", 0.533),
  task("hellaswag", "en", 0.416),
  task("xlsum", "en", 0.1),
  task("mlqa", "de", 0.3),
  task("mlqa", "zh", 0.314), // mean 0.307
  task("xlsum", "de", 0.033),
  task("xquad", "de", 0.4),
  task("xquad", "zh", 0.472),
  task("xquad", "ar", 0.436), // mean 0.436
  task("global_mmlu", "de", 0.43),
];

describe("ability aggregation", () => {
  it("English tasks count as EA whatever their family; other languages as MA", () => {
    expect(taskAbility("xlsum", "en")).toBe("EA");
    expect(taskAbility("xquad", "en")).toBe("EA");
    expect(taskAbility("mlqa", "en")).toBe("EA");
    expect(taskAbility("heldout", "en")).toBe("EA");
    expect(taskAbility("xquad", "de")).toBe("MA");
    expect(taskAbility("mmlu", "en")).toBe("EA");
    expect(taskAbility("heldout_likelihood/xquad", "en-GB", ["en", "en-GB"])).toBe("EA");
  });

  it("matches the paper's Table 5 row by hand: EA 0.332, MA 0.302, Combined 0.317", () => {
    const s = summarizeAbilities(row);
    // EA = (0.462 + 0.15 + 0.533 + 0.416 + 0.10) / 5 = 1.661 / 5
    expect(s.ea).toBeCloseTo(0.3322, 10);
    // MA = (0.307 + 0.033 + 0.436 + 0.430) / 4 = 1.206 / 4: XQuAD's three languages count once.
    expect(s.ma).toBeCloseTo(0.3015, 10);
    // Overall = (0.3322 + 0.3015) / 2
    expect(s.overall).toBeCloseTo(0.31685, 10);
    expect(s.families.EA.xlsum!.score).toBeCloseTo(0.1, 10);
    expect(s.families.MA.xlsum!.score).toBeCloseTo(0.033, 10);
    expect(Number(s.ea!.toFixed(3))).toBe(0.332);
    expect(Math.abs(s.ma! - 0.302)).toBeLessThanOrEqual(0.0005 + 1e-12); // the paper rounds 0.3015 up
    expect(Number(s.overall!.toFixed(3))).toBe(0.317);
  });

  it("has no Overall without both abilities, and deltas carry it", () => {
    expect(summarizeAbilities(row.filter((r) => r.ability === "EA")).overall).toBeNull();
    const after = row.map((r) => ({ ...r, score: r.score + 0.01 }));
    expect(phaseDeltas(row, after).overall).toBeCloseTo(0.01, 10);
  });

  it("prints EA, MA and Overall columns", () => {
    const table = abilityTable([{ strategy: "Instruct → MultiAlpaca", results: row }]);
    expect(table.split("\n")[0]).toMatch(/EA avg \| .* MA avg \| Overall \|$/);
    expect(table).toContain("| 33.22 |");
    expect(table).toContain("| 30.15 |");
  });
});
