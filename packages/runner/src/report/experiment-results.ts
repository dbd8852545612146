/** Scores of one model: English ability (EA), multilingual ability (MA) and what they average. */
export interface AbilityScores {
  /** Mean of the English task scores, each in [0, 1], higher is better (the paper's EA). */
  ea: number;
  /** Mean of the multilingual task scores, each in [0, 1] (the paper's MA). */
  ma: number;
  /** Every task score in [0, 1], e.g. `en/heldout_likelihood`, `xquad_en/f1`, `de/heldout_likelihood`. */
  tasks: Record<string, number>;
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
  delta: { ea: number; ma: number; english_loss: number; multilingual_loss: number };
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
  phase1: AbilityScores;
  phase1_training: TrainingSummary;
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
  seconds: number;
}
