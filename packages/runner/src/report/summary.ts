import type { ExperimentResults, PhasePairResult, StrategyResult } from "./experiment-results.js";
import { fmt, fmtDelta } from "./format-number.js";

/** A change smaller than this (on 0-1 scores) is called "flat" in the summary. */
const FLAT = 0.0005;

/** Scores with enough decimals to show two significant digits of a tiny model's small scores. */
const score = (v: number) => fmt(v, Math.abs(v) < 0.01 ? 4 : 3);
const change = (v: number) => fmtDelta(v, Math.abs(v) < 0.01 ? 4 : 3);

function baselineOf(results: ExperimentResults, pair: string): StrategyResult | undefined {
  return results.strategies.find((s) => s.pair === pair && s.strategy === "baseline");
}

function englishSentence(pair: PhasePairResult, baseline: StrategyResult): string {
  const d = baseline.delta.ea;
  const verb = d < -FLAT ? "dropped" : d > FLAT ? "rose" : "stayed flat";
  return `${pair.name}: English ability ${verb} after plain Phase 2 (EA ${score(baseline.phase1.ea)} → ${score(baseline.phase2.ea)}, ${change(d)}); multilingual ability ${change(baseline.delta.ma)}.`;
}

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

/**
 * The report's first paragraph: did English drop, which strategies helped, how sure. One sentence per
 * pair and its strategies, then the caveat on how much one run says.
 */
export function whatHappened(results: ExperimentResults): string[] {
  const sentences: string[] = [];
  for (const pair of results.pairs) {
    const rows = results.strategies.filter((s) => s.pair === pair.name);
    const baseline = baselineOf(results, pair.name);
    if (!baseline) continue;
    sentences.push(englishSentence(pair, baseline));
    const helpers = helpersSentence(rows, baseline);
    if (helpers) sentences.push(helpers);
  }
  const tasks = Object.keys(results.pairs[0]?.phase1.tasks ?? {}).length;
  sentences.push(
    `How sure: one run with seed ${results.seed} on ${tasks} evaluation tasks, without repeated seeds or confidence intervals — differences of a few thousandths may be noise; read the deltas, not the absolute scores.`,
  );
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
