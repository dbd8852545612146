import type { InstructDesSet } from "../run-state.js";
import type { Interval95 } from "./seed-statistics.js";

/**
 * Scores of one model: English ability (EA), multilingual ability (MA) and Overall, from the one
 * aggregation in @cftkit/evaluation (per task family, then the mean; Overall = mean(EA, MA)).
 */
export interface AbilityScores {
  /** Mean over the English task families (each in [0, 1], higher is better): the paper's EA. */
  ea: number;
  /** Mean over the multilingual task families: the paper's MA. */
  ma: number;
  /** mean(EA, MA): the paper's "Combined" (Table 5) / "Overall" (Table D9). */
  overall: number;
  /** Every task score in [0, 1], e.g. `heldout_likelihood/xquad/de`, `xquad_f1/en`. */
  tasks: Record<string, number>;
  /** The ability each task counts towards. */
  task_abilities: Record<string, "EA" | "MA">;
  /** Mean NLL per response token on held-out English records (lower is better). */
  english_loss: number;
  /** Mean over the Phase-2 languages of their held-out NLL per response token. */
  multilingual_loss: number;
  loss_by_language: Record<string, number>;
}

export interface TrainingSummary {
  steps: number;
  final_loss: number;
  seconds: number;
  curve: { step: number; loss: number }[];
}

export interface DriftPoint {
  layer: number;
  spectral: number;
  frobenius: number;
}

/** One seed's scores of a strategy: its Phase-1 model and its Phase-2 model. */
export interface SeedScores {
  seed: number;
  phase1: AbilityScores;
  phase2: AbilityScores;
}

/** One Phase-2 strategy of one phase pair. Scores and deltas are means over the seeds. */
export interface StrategyResult {
  pair: string;
  strategy: string;
  phase1: AbilityScores;
  phase2: AbilityScores;
  delta: { ea: number; ma: number; overall: number; english_loss: number; multilingual_loss: number };
  /** The seeds this strategy was trained and evaluated with. */
  seeds: number[];
  /** Every seed's scores and its ΔEA/ΔMA. */
  per_seed: (SeedScores & { delta: { ea: number; ma: number } })[];
  /** Mean ± 95 % Student-t interval over seeds of ΔEA and ΔMA (null bounds with one seed). */
  ci95: { ea: Interval95; ma: Interval95 };
  /**
   * Not for the baseline: the interval of (this ΔEA − baseline ΔEA) per seed, the same for ΔMA, and whether
   * each excludes 0 — the difference is distinguishable from seed noise.
   */
  vs_baseline?: { ea: Interval95; ma: Interval95; distinguishable: { ea: boolean; ma: boolean } };
  /** MPD, drift, training, details and plan are the first seed's. */
  mpd: number;
  mpd_normalized: number;
  drift: DriftPoint[];
  training: TrainingSummary;
  /** What the strategy changed: frozen modules, replay counts, LoRA rank. */
  details: Record<string, unknown>;
  /** The exact training plan used. */
  plan: unknown;
}

export interface PhasePairResult {
  name: string;
  description: string;
  phase1_data: string;
  phase2_data: string;
  /** Dataset embedding similarity of the two phases' data (paper Definition 1). */
  des: number;
  des_encoder: string;
  des_by_language: Record<string, number>;
  /** What of each record DES embedded (analysis.des.text). */
  des_text?: string;
  /** An off-the-shelf Phase-1 model's generated DES set (the paper's "Instruct" set): which, by whom, how many prompts. */
  des_set?: InstructDesSet & { path: string };
  /** Mean over seeds of the Phase-1 model's scores. */
  phase1: AbilityScores;
  /** Each seed's Phase-1 scores. */
  phase1_per_seed: { seed: number; scores: AbilityScores }[];
  /** The first seed's Phase-1 training. */
  phase1_training: TrainingSummary;
  /** The paper's MPD of the Phase-1 model (analysis.paper_mpd): against the base tuned on Phase-2 data alone. */
  paper_mpd?: { mpd: number; normalized: number; reference: string };
}

export interface ProjectionPoint {
  model: string;
  layer: number;
  x: number;
  y: number;
}

/** Spearman's ρ between the pairs' DES and their English decline (the paper's Table 3 argument). */
export interface SpearmanResult {
  /** Pairs with a DES and a baseline. */
  n: number;
  /** null when n < 2 or either side is all ties. */
  rho: number | null;
  expected: string;
  /** The smallest two-sided p-value an exact permutation test can give with n points (2/n!). */
  min_p_value: number;
  can_be_significant: boolean;
  /** english_decline = −ΔEA of the baseline (mean over seeds). */
  points: { pair: string; des: number; english_decline: number }[];
  note: string;
}

export interface ExperimentResults {
  name: string;
  created_at: string;
  profile: string;
  /** The first seed (the one analysis ran on). */
  seed: number;
  /** Every seed the models were trained and evaluated with. */
  seeds: number[];
  /** The report's first paragraph ("What happened") as plain text. */
  summary: string;
  /** DES against the English decline across pairs. */
  spearman: SpearmanResult;
  backend: string;
  model: { preset: string; parameters: number; config: Record<string, unknown> };
  measures: string[];
  pairs: PhasePairResult[];
  strategies: StrategyResult[];
  projection: { method: string; points: ProjectionPoint[] };
  notes: string[];
  /** Time the steps took when they ran (reused steps count with their recorded time): the run's duration. */
  seconds: number;
  /** Wall-clock time of the invocation that wrote these results (short when steps were reused). */
  invocation_seconds?: number;
}
