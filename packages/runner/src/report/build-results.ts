import { relative } from "node:path";
import { absolutePath, type RunContext } from "../run-context.js";
import type { PairState, RunState } from "../run-state.js";
import type {
  ExperimentResults,
  PhasePairResult,
  StrategyResult,
  TrainingSummary,
} from "./experiment-results.js";

/** How each number of the report is measured (shown under "Measures"). */
export const MEASURES = [
  'EA = mean over the English task families, MA = mean over the multilingual task families (a family in several languages counts once, with its mean over them); Overall = mean(EA, MA), the paper\'s Table 5 "Combined" / Table D9 "Overall".',
  "heldout_likelihood/<set>/<lang> = exp(−mean NLL per reference-response token) on held-out records of that set and language (higher is better); english_loss / multilingual_loss are the means of those NLLs over the English / other sets.",
  "xquad_f1/<lang> = SQuAD v1.1 F1 / 100 of greedy answers on held-out XQuAD articles.",
  "DES = <E(P1 data), E(P2 data)> with E the L2-normalised mean embedding (paper Definition 1); for an off-the-shelf Phase-1 model, P1 data = its answers to MT-Bench prompts (the paper's Instruct set, Table 3 ‡).",
  "P1→P2 weight change = mean over parameter tensors of ‖w_P2 − w_P1‖₂, normalised by the largest of the pair: the sum of Definition 2 with the Phase-1 model as reference. It is not the paper's MPD (Table 4), which compares models fine-tuned from one base on different datasets (cftkit similarity mpd --reference).",
  "MPD (paper) = Definition 2 of each Phase-1 model against the base model tuned on the Phase-2 data alone, normalised by the largest (Table 4); computed with analysis.paper_mpd.",
  "Drift = ‖Σ_P2 − Σ_P1‖₂ per layer of the covariance of mean activations on MT-Bench prompts (paper §4.4).",
];

const NO_TRAINING: TrainingSummary = { steps: 0, final_loss: Number.NaN, seconds: 0, curve: [] };

function strategyResults(pair: PairState): StrategyResult[] {
  const before = pair.scores.phase1!;
  return pair.phase2.map((run) => {
    const after = pair.scores[run.strategy]!;
    const mpd = pair.mpd[run.strategy];
    return {
      pair: pair.name,
      strategy: run.strategy,
      phase1: before,
      phase2: after,
      delta: {
        ea: after.ea - before.ea,
        ma: after.ma - before.ma,
        overall: after.overall - before.overall,
        english_loss: after.english_loss - before.english_loss,
        multilingual_loss: after.multilingual_loss - before.multilingual_loss,
      },
      mpd: mpd?.mpd ?? Number.NaN,
      mpd_normalized: mpd?.normalized ?? Number.NaN,
      drift: pair.drift[run.strategy] ?? [],
      training: run.training,
      details: {
        selection: pair.selections[run.strategy]
          ? { frozen: pair.selections[run.strategy]!.frozen }
          : undefined,
        replay: pair.replay[run.strategy] ? { buffer: pair.replay[run.strategy]!.counts } : undefined,
        model_dir: run.model.dir,
      },
      plan: run.plan,
    };
  });
}

function pairResult(ctx: RunContext, pair: PairState): PhasePairResult {
  const setting = pair.stage.setting;
  const shown = (path: string) => relative(ctx.baseDir, absolutePath(ctx, path)) || path;
  return {
    name: pair.name,
    description: setting.description ?? "",
    phase1_data:
      setting.phase1.datasets?.map((d) => shown(d.path)).join(", ") || String(setting.phase1.model),
    phase2_data: setting.phase2.datasets.map((d) => shown(d.path)).join(", "),
    des: pair.des?.des ?? Number.NaN,
    des_encoder: pair.des?.model ?? "—",
    des_by_language: pair.des?.by_language ?? {},
    ...(pair.des?.text ? { des_text: pair.des.text } : {}),
    ...(pair.des?.phase1_set
      ? { des_set: { ...pair.des.phase1_set, path: shown(pair.des.phase1_set.path) } }
      : {}),
    phase1: pair.scores.phase1!,
    phase1_training: pair.phase1Training ?? NO_TRAINING,
    ...(pair.paperMpd && pair.phase2Only
      ? {
          paper_mpd: {
            mpd: pair.paperMpd.mpd,
            normalized: pair.paperMpd.normalized,
            reference: shown(pair.phase2Only.dir),
          },
        }
      : {}),
  };
}

/** The run's results.json: every pair, every strategy, the projection, and what the report says about them. */
export function buildResults(ctx: RunContext, state: RunState): ExperimentResults {
  return {
    name: ctx.experiment.title ?? ctx.experiment.name,
    created_at: new Date().toISOString(),
    profile: ctx.profile,
    seed: ctx.experiment.seed,
    backend: ctx.experiment.backend,
    model: state.model,
    measures: MEASURES,
    pairs: state.pairs.map((p) => pairResult(ctx, p)),
    strategies: state.pairs.flatMap(strategyResults),
    projection: state.projection,
    notes: ctx.notes,
    seconds: state.stepSeconds,
    invocation_seconds: (Date.now() - ctx.started) / 1000,
  };
}
