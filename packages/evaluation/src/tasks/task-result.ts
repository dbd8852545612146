/** Which ability a task measures (the paper's EA / MA split). */
export type Ability = "EA" | "MA";

/** One prediction as stored in `<out>/<task>.predictions.jsonl`. */
export interface TaskPrediction {
  id: string;
  prediction: string | number;
  gold?: string | string[] | number;
  score?: number;
  [extra: string]: unknown;
}

/** What every task runner returns: a score in [0, 1], the metric it is, and details. */
export interface TaskResult {
  /** Task name, e.g. `xquad_de`, `mmlu`, `heldout_en`. */
  task: string;
  /** Task family: ifeval, xquad, mlqa, mmlu, global_mmlu, hellaswag, xlsum, alpaca_eval, heldout. */
  family: string;
  language: string;
  ability: Ability;
  /** Name of the metric `score` is (e.g. `f1`, `acc_norm`, `prompt_level_strict_acc`). */
  metric: string;
  /** In [0, 1]. */
  score: number;
  count: number;
  /** All metrics of the task (0-1), plus anything else worth keeping. */
  details: Record<string, unknown>;
  predictions: TaskPrediction[];
}
