import type { RunState } from "../run-state.js";
import type { AbilityScores, SeedScores, SpearmanResult, StrategyResult } from "./experiment-results.js";
import {
  excludesZero,
  interval95,
  pairedInterval95,
  spearmanMinPValue,
  spearmanRho,
} from "./seed-statistics.js";

const meanOf = (values: number[]) => values.reduce((a, v) => a + v, 0) / values.length;

function meanRecord(records: Record<string, number>[]): Record<string, number> {
  const keys = Object.keys(records[0] ?? {});
  return Object.fromEntries(keys.map((k) => [k, meanOf(records.map((r) => r[k] ?? Number.NaN))]));
}

/** The per-task mean of several seeds' scores (EA/MA/Overall are means of tasks, so their means agree). */
export function meanScores(scores: AbilityScores[]): AbilityScores {
  const first = scores[0]!;
  return {
    ea: meanOf(scores.map((s) => s.ea)),
    ma: meanOf(scores.map((s) => s.ma)),
    overall: meanOf(scores.map((s) => s.overall)),
    tasks: meanRecord(scores.map((s) => s.tasks)),
    task_abilities: first.task_abilities,
    english_loss: meanOf(scores.map((s) => s.english_loss)),
    multilingual_loss: meanOf(scores.map((s) => s.multilingual_loss)),
    loss_by_language: meanRecord(scores.map((s) => s.loss_by_language)),
  };
}

/** Phase-1 and Phase-2 scores of one strategy of one pair, per seed that evaluated both. */
export function perSeedScores(state: RunState, pair: string, strategy: string): SeedScores[] {
  return state.seeds.flatMap(({ seed, pairs }) => {
    const scores = pairs.find((p) => p.name === pair)?.scores;
    const [phase1, phase2] = [scores?.phase1, scores?.[strategy]];
    return phase1 && phase2 ? [{ seed, phase1, phase2 }] : [];
  });
}

/** Phase-1 scores of one pair, per seed. */
export function phase1PerSeed(state: RunState, pair: string): { seed: number; scores: AbilityScores }[] {
  return state.seeds.flatMap(({ seed, pairs }) => {
    const scores = pairs.find((p) => p.name === pair)?.scores.phase1;
    return scores ? [{ seed, scores }] : [];
  });
}

/**
 * A strategy's result with its seeds folded in: scores and deltas are means over seeds, `ci95` the 95 %
 * Student-t interval of ΔEA and ΔMA, and `vs_baseline` the interval of its per-seed difference from the
 * baseline's delta (paired by seed), "distinguishable" when that interval excludes 0.
 */
export function withSeeds(
  row: StrategyResult,
  seeds: SeedScores[],
  baseline: SeedScores[] | undefined,
): StrategyResult {
  const delta = (s: SeedScores, k: "ea" | "ma" | "overall" | "english_loss" | "multilingual_loss") =>
    s.phase2[k] - s.phase1[k];
  const phase1 = meanScores(seeds.map((s) => s.phase1));
  const phase2 = meanScores(seeds.map((s) => s.phase2));
  const out: StrategyResult = {
    ...row,
    phase1,
    phase2,
    delta: {
      ea: meanOf(seeds.map((s) => delta(s, "ea"))),
      ma: meanOf(seeds.map((s) => delta(s, "ma"))),
      overall: meanOf(seeds.map((s) => delta(s, "overall"))),
      english_loss: meanOf(seeds.map((s) => delta(s, "english_loss"))),
      multilingual_loss: meanOf(seeds.map((s) => delta(s, "multilingual_loss"))),
    },
    seeds: seeds.map((s) => s.seed),
    per_seed: seeds.map((s) => ({ ...s, delta: { ea: delta(s, "ea"), ma: delta(s, "ma") } })),
    ci95: {
      ea: interval95(seeds.map((s) => delta(s, "ea"))),
      ma: interval95(seeds.map((s) => delta(s, "ma"))),
    },
  };
  if (row.strategy === "baseline" || !baseline) return out;
  // Pair by seed: only seeds both runs have.
  const shared = seeds.filter((s) => baseline.some((b) => b.seed === s.seed));
  const base = shared.map((s) => baseline.find((b) => b.seed === s.seed)!);
  const ea = pairedInterval95(
    shared.map((s) => delta(s, "ea")),
    base.map((b) => delta(b, "ea")),
  );
  const ma = pairedInterval95(
    shared.map((s) => delta(s, "ma")),
    base.map((b) => delta(b, "ma")),
  );
  return {
    ...out,
    vs_baseline: { ea, ma, distinguishable: { ea: excludesZero(ea), ma: excludesZero(ma) } },
  };
}

/**
 * The paper's Table 3 argument at this run's scale: Spearman's ρ between each pair's DES and its English
 * decline (−ΔEA of the baseline, mean over seeds). Higher DES should mean less decline (ρ < 0). With n
 * pairs no permutation test can reach p below 2/n!, so with fewer than 5 pairs ρ cannot be significant.
 */
export function desSpearman(
  pairs: { name: string; des: number }[],
  baselines: Map<string, StrategyResult>,
): SpearmanResult {
  const points = pairs
    .filter((p) => Number.isFinite(p.des) && baselines.has(p.name))
    .map((p) => ({ pair: p.name, des: p.des, english_decline: -baselines.get(p.name)!.delta.ea }));
  const n = points.length;
  const minP = spearmanMinPValue(n);
  return {
    n,
    rho: spearmanRho(
      points.map((p) => p.des),
      points.map((p) => p.english_decline),
    ),
    expected: "negative (more similar data, less forgetting)",
    min_p_value: minP,
    can_be_significant: minP < 0.05,
    points,
    note:
      n < 5
        ? `${n} pair(s): a rank correlation of ${n} points is ${n === 2 ? "always ±1 (or undefined on a tie)" : "one of a few values"} and cannot be significant (smallest two-sided permutation p = ${minP.toPrecision(2)}); it shows the direction only.`
        : `${n} pairs: smallest reachable two-sided permutation p = ${minP.toPrecision(2)}.`,
  };
}
