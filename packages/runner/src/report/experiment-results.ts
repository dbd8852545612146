import type { InstructDesSet } from "../run-state.js";
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

/** One Phase-2 strategy of one phase pair. */
export interface StrategyResult {
  pair: string;
  strategy: string;
  phase1: AbilityScores;
  phase2: AbilityScores;
  delta: { ea: number; ma: number; overall: number; english_loss: number; multilingual_loss: number };
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
  phase1: AbilityScores;
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

export interface ExperimentResults {
  name: string;
  created_at: string;
  profile: string;
  seed: number;
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
