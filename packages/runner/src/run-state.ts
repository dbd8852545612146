import type { MpdResult } from "@cftkit/similarity";
import type { ExperimentStrategy, Phase1Stage, TrainingPlan } from "@cftkit/trainer";
import type {
  AbilityScores,
  DriftPoint,
  ExperimentResults,
  TrainingSummary,
} from "./report/experiment-results.js";

/** A model and the cache key of the step that made it (downstream keys change when the model does). */
export interface ModelRef {
  dir: string;
  key: string;
}

/** The paper's "Instruct" DES set: an off-the-shelf Phase-1 model's answers to MT-Bench-style prompts. */
export interface InstructDesSet {
  /** The answers (cftkit JSONL: instruction, input, output), relative to its unit's folder. */
  file: string;
  /** The model that answered. */
  model: string;
  /** The prompts file and how many of its prompts were answered (first turns). */
  prompts: string;
  prompts_available: number;
  prompts_used: number;
  rows: number;
  /** Answers already in the journal when this generation started (an interrupted run resumed). */
  resumed: number;
  generator: "server" | "embedded";
  max_new_tokens: number;
}

/** DES of a pair's two phases' data. */
export interface DesOutcome {
  des: number;
  model: string;
  by_language?: Record<string, number>;
  /** What of each record was embedded (analysis.des.text). */
  text?: string;
  /** Set when the Phase-1 side is generated (an off-the-shelf Phase-1 model): which set, made how. */
  phase1_set?: InstructDesSet & { path: string };
}

/** One Phase-2 run of a pair. */
export interface Phase2Run {
  strategy: ExperimentStrategy;
  plan: TrainingPlan;
  model: ModelRef;
  training: TrainingSummary;
}

/** What the steps found out about one phase pair (one setting of the experiment), filled step by step. */
export interface PairState {
  name: string;
  /** The setting's Phase-1 plan (stage 1 of the compile) and base model. */
  stage: Phase1Stage;
  strategies: ExperimentStrategy[];
  base: ModelRef;
  des?: DesOutcome;
  phase1?: ModelRef;
  phase1Training?: TrainingSummary;
  /** Freeze selection per strategy: the file and the frozen modules. */
  selections: Partial<Record<ExperimentStrategy, { path: string; frozen: string[] }>>;
  /** Phase-2 data with replay mixed in, per strategy, and the buffer's counts. */
  replay: Partial<Record<ExperimentStrategy, { path: string; counts: unknown }>>;
  phase2: Phase2Run[];
  /** Evaluation per model label: `phase1` or a strategy name. */
  scores: Record<string, AbilityScores>;
  /** Activation file per model label. */
  activations: Record<string, { file: string; key: string }>;
  mpd: Partial<Record<ExperimentStrategy, MpdResult>>;
  /** The base model tuned on this pair's Phase-2 data alone (analysis.paper_mpd), the paper's MPD reference. */
  phase2Only?: ModelRef;
  /** The paper's MPD of this pair's Phase-1 model against `phase2Only` (Definition 2, Table 4). */
  paperMpd?: MpdResult;
  drift: Partial<Record<ExperimentStrategy, DriftPoint[]>>;
}

/** The whole run's state: every pair, and what the experiment-wide steps add. */
export interface RunState {
  pairs: PairState[];
  model: ExperimentResults["model"];
  projection: ExperimentResults["projection"];
  /** Sum of the recorded seconds of every unit run or reused so far. */
  stepSeconds: number;
  results?: ExperimentResults;
}

/** The models of a pair to evaluate and analyse: Phase 1 first, then each Phase-2 strategy. */
export function pairModels(pair: PairState): { label: string; model: ModelRef }[] {
  return [
    ...(pair.phase1 ? [{ label: "phase1", model: pair.phase1 }] : []),
    ...pair.phase2.map((r) => ({ label: r.strategy, model: r.model })),
  ];
}
