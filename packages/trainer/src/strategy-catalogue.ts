/**
 * Every Phase-2 strategy as data (paper §5 and the mixture baseline of §4.2). The experiment schema, the
 * strategy compiler, the runner's selection and replay steps, the report and docs/strategies.md all read
 * this table: adding a strategy is one entry here (and its test).
 */

/** How a freeze strategy picks what Phase 2 does not train. */
export interface FreezeRecipe {
  /**
   * `random-layers`: k random layers per q/k/v type (LF_H1); `layer-diff`: the k layers that changed most
   * in Phase 1 (LF_H2); `spectrum`: layers ranked by signal-to-noise ratio (Spectrum).
   */
  heuristic: "random-layers" | "layer-diff" | "spectrum";
  /** For `spectrum`: freeze the top percent by SNR (`freeze-top`) or train only them (`unfreeze-top`). */
  mode?: "freeze-top" | "unfreeze-top";
  /**
   * Which experiment parameter sizes the selection: `lf_layers` (layers per type, paper: 10 of 32) or
   * `spectrum_top_percent` (paper: 50).
   */
  size: "lf_layers" | "spectrum_top_percent";
}

/** How a replay strategy mixes earlier-phase data into Phase 2. */
export interface ReplayRecipe {
  /** `english`: the English counterparts' original responses (ER); `generative`: Phase-1 model answers (GR). */
  kind: "english" | "generative";
  /** Replayed rows as a fraction of the Phase-2 rows. */
  ratio: number;
}

export interface StrategyEntry {
  name: string;
  /** One line for tables and --help. */
  summary: string;
  /** What Phase 2 trains on: its own data, its data with a replay mix, or (mixture) both phases at once. */
  data: "phase2" | "phase2+replay" | "phase1+phase2";
  /** The model it starts from: the Phase-1 model, or (mixture) the base model. */
  start: "phase1" | "base";
  freeze?: FreezeRecipe;
  /** Not one of the paper's strategies (left out of the default strategy list). */
  extra?: true;
  adapter?: "lora";
  replay?: ReplayRecipe;
}

export const STRATEGY_CATALOGUE = [
  {
    name: "baseline",
    summary: "full fine-tuning on the Phase-2 data",
    data: "phase2",
    start: "phase1",
  },
  {
    name: "mixture",
    summary: "one run on the union of both phases' data from the base model (as many steps as both phases)",
    data: "phase1+phase2",
    start: "base",
  },
  {
    name: "LF_H1",
    summary: "freeze k random layers per q/k/v type of the Phase-1 model",
    data: "phase2",
    start: "phase1",
    freeze: { heuristic: "random-layers", size: "lf_layers" },
  },
  {
    name: "LF_H2",
    summary: "freeze the k layers per q/k/v type that changed most during Phase 1",
    data: "phase2",
    start: "phase1",
    freeze: { heuristic: "layer-diff", size: "lf_layers" },
  },
  {
    name: "Spectrum",
    summary:
      "the paper's Spectrum: freeze the top percent of layers by signal-to-noise ratio, train the rest",
    data: "phase2",
    start: "phase1",
    freeze: { heuristic: "spectrum", mode: "freeze-top", size: "spectrum_top_percent" },
  },
  {
    // Not in the paper's tables: Spectrum as its authors use it, for comparison (docs/semantics.md).
    name: "Spectrum_unfreeze",
    summary:
      "Spectrum's own use: train only the top percent of layers by signal-to-noise ratio, freeze the rest",
    data: "phase2",
    start: "phase1",
    freeze: { heuristic: "spectrum", mode: "unfreeze-top", size: "spectrum_top_percent" },
    extra: true,
  },
  {
    name: "GR_5",
    summary: "generative replay: Phase-1 model answers to English counterparts, 5 % of Phase 2",
    data: "phase2+replay",
    start: "phase1",
    replay: { kind: "generative", ratio: 0.05 },
  },
  {
    name: "GR_10",
    summary: "generative replay: Phase-1 model answers to English counterparts, 10 % of Phase 2",
    data: "phase2+replay",
    start: "phase1",
    replay: { kind: "generative", ratio: 0.1 },
  },
  {
    name: "ER_10",
    summary: "English replay: the English counterparts' original responses, 10 % of Phase 2",
    data: "phase2+replay",
    start: "phase1",
    replay: { kind: "english", ratio: 0.1 },
  },
  {
    name: "LoRA",
    summary: "a LoRA adapter on every linear layer (paper: rank 64) instead of full fine-tuning",
    data: "phase2",
    start: "phase1",
    adapter: "lora",
  },
] as const satisfies readonly StrategyEntry[];

export type StrategyName = (typeof STRATEGY_CATALOGUE)[number]["name"];

/** Strategy names in catalogue order, as a non-empty tuple (for zod enums). */
export const STRATEGY_NAMES = STRATEGY_CATALOGUE.map((s) => s.name) as unknown as readonly [
  StrategyName,
  ...StrategyName[],
];

/** The paper's strategies (every entry not marked `extra`): an experiment's default strategy list. */
export const PAPER_STRATEGY_NAMES: readonly StrategyName[] = STRATEGY_CATALOGUE.filter(
  (s) => !("extra" in s),
).map((s) => s.name);

/** The catalogue entry of a strategy (the name is already validated by the schema). */
export function strategyEntry(name: StrategyName): StrategyEntry {
  return STRATEGY_CATALOGUE.find((s) => s.name === name)!;
}

const namesWhere = (test: (s: StrategyEntry) => boolean) =>
  STRATEGY_CATALOGUE.filter(test).map((s) => s.name) as StrategyName[];

/** Strategies that need a freeze selection made from the Phase-1 model. */
export const FREEZE_STRATEGY_NAMES = namesWhere((s) => s.freeze !== undefined);
/** Strategies that need a replay mix. */
export const REPLAY_STRATEGY_NAMES = namesWhere((s) => s.replay !== undefined);
