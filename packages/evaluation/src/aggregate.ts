import type { Ability } from "./tasks/task-result.js";

/** The part of a task result aggregation needs. */
export interface ScoredTask {
  task: string;
  family: string;
  language: string;
  ability: Ability;
  score: number;
}

/** Task families that measure English ability whatever language tag they carry (the paper's Table 5). */
const ENGLISH_TASK_FAMILIES = new Set(["ifeval", "mmlu", "hellaswag"]);

/**
 * The ability a task measures: English-language tasks (xlsum_en, xquad_en, mlqa_en, English held-out
 * sets, IFEval, MMLU, HellaSwag) count as English ability (EA); every other language as multilingual
 * ability (MA). `englishLanguages` lets an experiment count more language tags as English.
 */
export function taskAbility(
  family: string,
  language: string,
  englishLanguages: readonly string[] = ["en"],
): Ability {
  return ENGLISH_TASK_FAMILIES.has(family) || englishLanguages.includes(language) ? "EA" : "MA";
}

export interface AbilitySummary {
  /** English ability: mean of the EA task-family scores (null when no EA task ran). */
  ea: number | null;
  /** Multilingual ability: mean of the MA task-family scores. */
  ma: number | null;
  /** Overall = mean(EA, MA), the paper's "Combined" (Table 5) / "Overall" (Table D9) column; null without both. */
  overall: number | null;
  /** Per ability and family: the family's score (mean over its languages) and its task names. */
  families: Record<Ability, Record<string, { score: number; tasks: string[] }>>;
  /** Per language: mean over that language's tasks, and which tasks. */
  byLanguage: Record<string, { mean: number; tasks: Record<string, number> }>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * EA, MA and Overall as in the paper (Table 5, Table D9): EA = mean over the English task families, MA =
 * mean over the multilingual task families, Overall = mean(EA, MA). A family run in several languages
 * (xquad_de, xquad_zh, …) counts once, with the mean over its languages, so 11 XQuAD languages do not
 * outweigh MLQA. A family's English task (xlsum_en) is its own EA family, as in Table 5's XLSUM_en column.
 */
export function summarizeAbilities(results: ScoredTask[]): AbilitySummary {
  const families: AbilitySummary["families"] = { EA: {}, MA: {} };
  const groups = new Map<string, ScoredTask[]>();
  for (const r of results) {
    const key = `${r.ability}\u0000${r.family}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, rs] of groups) {
    const [ability, family] = key.split("\u0000") as [Ability, string];
    families[ability][family] = { score: mean(rs.map((r) => r.score)), tasks: rs.map((r) => r.task) };
  }
  const abilityMean = (a: Ability) => {
    const scores = Object.values(families[a]).map((f) => f.score);
    return scores.length ? mean(scores) : null;
  };
  const byLanguage: AbilitySummary["byLanguage"] = {};
  for (const r of results) {
    const entry = byLanguage[r.language] ?? { mean: 0, tasks: {} };
    entry.tasks[r.task] = r.score;
    byLanguage[r.language] = entry;
  }
  for (const entry of Object.values(byLanguage)) entry.mean = mean(Object.values(entry.tasks));
  const ea = abilityMean("EA");
  const ma = abilityMean("MA");
  const overall = ea === null || ma === null ? null : (ea + ma) / 2;
  return { ea, ma, overall, families, byLanguage };
}

export interface PhaseDelta {
  ea: number | null;
  ma: number | null;
  overall: number | null;
  /** Per task present in both phases: phase 2 − phase 1. */
  tasks: Record<string, number>;
  /** Per EA/MA family present in both. */
  families: Record<string, number>;
}

/** Phase 1 → Phase 2 change (positive = Phase 2 better). */
export function phaseDeltas(phase1: ScoredTask[], phase2: ScoredTask[]): PhaseDelta {
  const a = summarizeAbilities(phase1);
  const b = summarizeAbilities(phase2);
  const tasks: Record<string, number> = {};
  const before = new Map(phase1.map((r) => [r.task, r.score]));
  for (const r of phase2) {
    const s = before.get(r.task);
    if (s !== undefined) tasks[r.task] = r.score - s;
  }
  const families: Record<string, number> = {};
  for (const ability of ["EA", "MA"] as const) {
    for (const [family, f] of Object.entries(b.families[ability])) {
      const old = a.families[ability][family];
      if (old) families[family] = f.score - old.score;
    }
  }
  const diff = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
  return { ea: diff(a.ea, b.ea), ma: diff(a.ma, b.ma), overall: diff(a.overall, b.overall), tasks, families };
}

/**
 * A Markdown table in the paper's layout (Table 5): one row per strategy; columns the EA task families, EA
 * average, the MA task families, MA average. Scores × 100 with `digits` decimals; "–" where a row lacks a task.
 */
export function abilityTable(
  rows: { strategy: string; results: ScoredTask[] }[],
  options: { digits?: number; scale?: number } = {},
): string {
  const digits = options.digits ?? 2;
  const scale = options.scale ?? 100;
  const summaries = rows.map((r) => summarizeAbilities(r.results));
  const columns = (a: "EA" | "MA") => {
    const seen: string[] = [];
    for (const s of summaries)
      for (const f of Object.keys(s.families[a])) if (!seen.includes(f)) seen.push(f);
    return seen;
  };
  const ea = columns("EA");
  const ma = columns("MA");
  const fmt = (v: number | null | undefined) =>
    v === null || v === undefined ? "–" : (v * scale).toFixed(digits);
  const header = ["Strategy", ...ea, "EA avg", ...ma, "MA avg", "Overall"];
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
  ];
  rows.forEach((row, i) => {
    const s = summaries[i]!;
    lines.push(
      `| ${[
        row.strategy,
        ...ea.map((f) => fmt(s.families.EA[f]?.score)),
        fmt(s.ea),
        ...ma.map((f) => fmt(s.families.MA[f]?.score)),
        fmt(s.ma),
        fmt(s.overall),
      ].join(" | ")} |`,
    );
  });
  return `${lines.join("\n")}\n`;
}
