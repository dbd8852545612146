/** How big the quickstart is: `fast` for tests, `default` for the README's < 15 min on 2 cores, `full` for more steps. */
export type QuickstartProfile = (typeof QUICKSTART_PROFILE_NAMES)[number];

/** The quickstart's profiles, smallest first. */
export const QUICKSTART_PROFILE_NAMES = ["fast", "default", "full"] as const;

import type { ModelPreset } from "@cftkit/lm";

export type QuickstartPair = "similar" | "mixed" | "dissimilar";

export interface QuickstartSizes {
  /** The model size; the bundled base is `tiny`, another preset is pre-trained in the run (`pretrainSteps`). */
  preset: ModelPreset;
  /** Pre-training steps for a preset the bundled base is not (the recipe of tools/pretrain-base.ts). */
  pretrainSteps?: number;
  /** Phase-1 training records per pair. */
  phase1Records: number;
  /** Phase-2 training records per language (11 languages). */
  phase2PerLanguage: number;
  /** XQuAD articles held out for evaluation (of 48). */
  evalArticles: number;
  heldoutPerLanguage: number;
  qaPerLanguage: number;
  /** English QA items (default qaPerLanguage): xquad_f1/en is the generative part of EA. */
  qaEnglish?: number;
  /** Held-out Alpaca instructions (likelihood and free answers scored by ROUGE-L; default 2 × heldoutPerLanguage). */
  heldoutAlpaca?: number;
  /** Longest free answer to a held-out Alpaca instruction, in tokens (default 48). */
  responseMaxNewTokens?: number;
  /** Longest generated QA answer in tokens (bytes for the byte-level base; default 16). */
  qaMaxNewTokens?: number;
  phase1Steps: number;
  phase2Steps: number;
  learningRate: number;
  sequenceLength: number;
  desSamples: number;
  driftPrompts: number;
  lfLayers: number;
  grMaxNewTokens: number;
  /** Phase-1 sets, from most to least like Phase 2 (`mixed`: half of each, a third point for DES ↔ forgetting). */
  pairs: QuickstartPair[];
  /** Rows per optimizer step (default 8); the step tests use fewer. */
  microBatch?: number;
  /** How many seeds train and evaluate every model (the run's seed and the next ones). */
  seeds: number;
  /** Minutes the profile is meant to take on 2 cores (printed when it starts); none for `full`. */
  budgetMinutes?: number;
}

export const QUICKSTART_PROFILES: Record<QuickstartProfile, QuickstartSizes> = {
  fast: {
    seeds: 3,
    budgetMinutes: 2,
    preset: "tiny",
    phase1Records: 48,
    phase2PerLanguage: 4,
    evalArticles: 4,
    heldoutPerLanguage: 1,
    qaPerLanguage: 1,
    qaEnglish: 2,
    responseMaxNewTokens: 16,
    phase1Steps: 6,
    phase2Steps: 4,
    learningRate: 3e-3,
    sequenceLength: 384,
    desSamples: 16,
    driftPrompts: 8,
    lfLayers: 1,
    grMaxNewTokens: 16,
    pairs: ["similar", "dissimilar"],
  },
  default: {
    seeds: 3,
    budgetMinutes: 15,
    preset: "tiny",
    phase1Records: 512,
    phase2PerLanguage: 30,
    evalArticles: 8,
    heldoutPerLanguage: 3,
    qaPerLanguage: 1,
    qaEnglish: 16,
    qaMaxNewTokens: 24,
    heldoutAlpaca: 16,
    responseMaxNewTokens: 48,
    phase1Steps: 128,
    phase2Steps: 24,
    learningRate: 3e-3,
    sequenceLength: 384,
    desSamples: 64,
    driftPrompts: 40,
    lfLayers: 1,
    grMaxNewTokens: 48,
    pairs: ["similar", "mixed", "dissimilar"],
  },
  full: {
    seeds: 5,
    // A bigger model than the bundled tiny base: the run pre-trains it first with the bundled base's recipe.
    preset: "mini",
    pretrainSteps: 2000,
    phase1Records: 1200,
    phase2PerLanguage: 100,
    evalArticles: 8,
    heldoutPerLanguage: 48,
    qaPerLanguage: 16,
    qaEnglish: 48,
    qaMaxNewTokens: 32,
    heldoutAlpaca: 48,
    responseMaxNewTokens: 96,
    phase1Steps: 300,
    phase2Steps: 200,
    learningRate: 1e-3,
    sequenceLength: 512,
    desSamples: 500,
    driftPrompts: 80,
    lfLayers: 2,
    grMaxNewTokens: 96,
    pairs: ["similar", "mixed", "dissimilar"],
  },
};
