import type { ExperimentResults, PhasePairResult, StrategyResult } from "./experiment-results.js";
import { fmt, fmtDelta } from "./format-number.js";
import { excludesZero, type Interval95 } from "./seed-statistics.js";

/** A change smaller than this (on 0-1 scores) is called "flat" in the summary. */
const FLAT = 0.0005;

/** Scores with enough decimals to show two significant digits of a tiny model's small scores. */
const score = (v: number) => fmt(v, Math.abs(v) < 0.01 ? 4 : 3);
const change = (v: number) => fmtDelta(v, Math.abs(v) < 0.01 ? 4 : 3);

function baselineOf(results: ExperimentResults, pair: string): StrategyResult | undefined {
  return results.strategies.find((s) => s.pair === pair && s.strategy === "baseline");
}

/** "−0.020 ± 0.004" (the 95 % interval's half width), or the bare delta with one seed. */
export function withInterval(mean: number, interval: Interval95 | undefined): string {
  const h = interval?.half_width;
  return h === null || h === undefined
    ? change(mean)
    : `${change(mean)} ± ${fmt(h, Math.abs(h) < 0.01 ? 4 : 3)}`;
}

/** "dropped"/"rose" when the interval excludes 0 (one seed: when the change is beyond FLAT). */
function direction(mean: number, interval: Interval95 | undefined): string {
  if (interval?.half_width == null) return mean < -FLAT ? "dropped" : mean > FLAT ? "rose" : "stayed flat";
  if (excludesZero(interval)) return mean < 0 ? "dropped" : "rose";
  return "did not change beyond seed noise";
}

/** The English generative measures' change: QA F1 and the ROUGE-L of free answers per response set. */
function generativeText(baseline: StrategyResult): string {
  const label = (task: string) =>
    task === "xquad_f1/en" ? "English QA F1" : `ROUGE-L of English answers (${task.split("/")[1]})`;
  const tasks = Object.keys(baseline.phase1.tasks).filter(
    (t) => t === "xquad_f1/en" || (t.startsWith("response_rougeL/") && t.endsWith("/en")),
  );
  tasks.sort((a, b) => Number(a !== "xquad_f1/en") - Number(b !== "xquad_f1/en") || a.localeCompare(b));
  return tasks
    .filter((t) => baseline.phase2.tasks[t] !== undefined)
    .map((t) => `; ${label(t)} ${score(baseline.phase1.tasks[t]!)} → ${score(baseline.phase2.tasks[t]!)}`)
    .join("");
}

function englishSentence(pair: PhasePairResult, baseline: StrategyResult, seeds: number): string {
  const d = baseline.delta.ea;
  const verb = direction(d, baseline.ci95?.ea);
  if (seeds < 2)
    return `${pair.name}: English ability ${verb} after plain Phase 2 (EA ${score(baseline.phase1.ea)} → ${score(baseline.phase2.ea)}, ${change(d)}${generativeText(baseline)}); multilingual ability ${change(baseline.delta.ma)}.`;
  return `${pair.name}: English ability ${verb} after plain Phase 2 (ΔEA ${withInterval(d, baseline.ci95.ea)}, EA ${score(baseline.phase1.ea)} → ${score(baseline.phase2.ea)}${generativeText(baseline)}); multilingual ability ${direction(baseline.delta.ma, baseline.ci95.ma)} (ΔMA ${withInterval(baseline.delta.ma, baseline.ci95.ma)}).`;
}

/** One seed: which strategies kept more English than the baseline (no interval to judge by). */
function helpersSentence(rows: StrategyResult[], baseline: StrategyResult): string | null {
  const others = rows.filter((s) => s !== baseline);
  if (!others.length) return null;
  const helped = others
    .filter((s) => s.delta.ea > baseline.delta.ea + FLAT)
    .sort((a, b) => b.delta.ea - a.delta.ea);
  if (!helped.length)
    return `No strategy kept more English ability than the baseline (${others.map((s) => s.strategy).join(", ")}).`;
  const list = helped
    .map((s) => `${s.strategy} (ΔEA ${fmtDelta(s.delta.ea)}, ΔMA ${fmtDelta(s.delta.ma)})`)
    .join(", ");
  return `Kept more English ability than the baseline: ${list}.`;
}

/** Several seeds: each mitigation's ΔEA minus the baseline's, paired by seed, and which stand above noise. */
function versusBaselineSentence(rows: StrategyResult[]): string | null {
  const others = rows.filter((s) => s.vs_baseline);
  if (!others.length) return null;
  const list = others.map((s) => `${s.strategy} ${withInterval(s.vs_baseline!.ea.mean, s.vs_baseline!.ea)}`);
  const beyond = others.flatMap((s) => {
    const v = s.vs_baseline!;
    const parts = [
      v.distinguishable.ea ? `${v.ea.mean > 0 ? "more" : "less"} English` : "",
      v.distinguishable.ma ? `${v.ma.mean > 0 ? "more" : "less"} multilingual ability` : "",
    ].filter(Boolean);
    return parts.length ? [`${s.strategy} kept ${parts.join(" and ")}`] : [];
  });
  return `ΔEA minus the baseline's, paired by seed: ${list.join(", ")}. ${beyond.length ? `Beyond seed noise: ${beyond.join("; ")}; the rest are within it.` : "None differs from the baseline beyond seed noise."}`;
}

function spearmanSentence(results: ExperimentResults): string | null {
  const s = results.spearman;
  if (!s || s.n < 2) return null;
  const rho = s.rho === null ? "undefined (a tie)" : fmt(s.rho, 2);
  return `DES against the English decline across ${s.n} pairs: Spearman ρ = ${rho} (the paper expects ρ < 0)${s.can_be_significant ? "" : `, but ${s.n} points cannot make a rank correlation significant (smallest possible p = ${fmt(s.min_p_value, 2)})`}.`;
}

function howSure(results: ExperimentResults): string {
  const tasks = Object.keys(results.pairs[0]?.phase1?.tasks ?? {}).length;
  const seeds = results.seeds ?? [results.seed];
  if (seeds.length < 2)
    return `How sure: one run with seed ${results.seed} on ${tasks} evaluation tasks, without repeated seeds or confidence intervals — differences of a few thousandths may be noise; read the deltas, not the absolute scores.`;
  return `How sure: ${seeds.length} seeds (${seeds.join(", ")}) on ${tasks} evaluation tasks; ± is a 95 % Student-t interval over seeds. It covers training randomness (data order, replay draws, LoRA init), not the choice of evaluation items, and a small model's absolute scores are small — read the deltas and their intervals.`;
}

/**
 * The report's first paragraph: did English drop, which strategies helped, how sure. One sentence per
 * pair and its strategies, then DES against the decline, then how much the run's seeds say.
 */
export function whatHappened(results: ExperimentResults): string[] {
  const sentences: string[] = [];
  const seeds = (results.seeds ?? [results.seed]).length;
  for (const pair of results.pairs) {
    const rows = results.strategies.filter((s) => s.pair === pair.name);
    const baseline = baselineOf(results, pair.name);
    if (!baseline) continue;
    sentences.push(englishSentence(pair, baseline, seeds));
    const helpers = seeds < 2 ? helpersSentence(rows, baseline) : versusBaselineSentence(rows);
    if (helpers) sentences.push(helpers);
  }
  const rank = spearmanSentence(results);
  if (rank) sentences.push(rank);
  sentences.push(howSure(results));
  return sentences;
}

/**
 * Numbers that contradict their own caption. DES is captioned "lower DES = more forgetting expected":
 * when the pair with the higher DES forgot more English under the baseline, DES ranked the pairs the
 * wrong way (e.g. an untrained encoder's embeddings do not see what the tasks share).
 */
export function captionWarnings(results: ExperimentResults): string[] {
  const ranked = results.pairs
    .map((p) => ({ pair: p, baseline: baselineOf(results, p.name) }))
    .filter((r) => r.baseline && Number.isFinite(r.pair.des))
    .sort((a, b) => a.pair.des - b.pair.des);
  const warnings = untrainedEncoderWarnings(results);
  for (let i = 0; i < ranked.length; i++) {
    for (let j = i + 1; j < ranked.length; j++) {
      const [low, high] = [ranked[i]!, ranked[j]!];
      if (high.baseline!.delta.ea < low.baseline!.delta.ea - FLAT) {
        warnings.push(
          `DES ranks ${high.pair.name} (${fmt(high.pair.des)}) as more similar than ${low.pair.name} (${fmt(low.pair.des)}), so less forgetting was expected there, but ${high.pair.name} lost more English ability (ΔEA ${change(high.baseline!.delta.ea)} vs ${change(low.baseline!.delta.ea)}). The DES encoder (${high.pair.des_encoder}) does not rank these pairs the way training did: do not read this DES as a forgetting risk.`,
        );
      }
    }
  }
  return warnings;
}

/**
 * DES measured with a freshly initialised model (`init:tiny`, `init:small`) as its encoder: random
 * embeddings, so "lower DES = more forgetting expected" does not hold for these numbers.
 */
function untrainedEncoderWarnings(results: ExperimentResults): string[] {
  const untrained = results.pairs.filter((p) => Number.isFinite(p.des) && /\binit:/.test(p.des_encoder));
  if (!untrained.length) return [];
  const values = untrained.map((p) => `${p.name} ${fmt(p.des)}`).join(", ");
  return [
    `DES (${values}) was measured with an untrained, randomly initialised encoder (${untrained[0]!.des_encoder}): its embeddings do not know what the data means, so these DES values do not rank the pairs' forgetting risk. Use a trained encoder (analysis.des.encoder: sentence, LaBSE in the paper) or a trained base model.`,
  ];
}
