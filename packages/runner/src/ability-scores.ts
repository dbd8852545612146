import { type ScoredTask, summarizeAbilities, taskAbility } from "@cftkit/evaluation";
import type { AbilityScores } from "./report/experiment-results.js";

/** What the evaluate step measures of one model: task scores in [0, 1] and held-out NLL per set/language. */
export interface MeasuredScores {
  /** `heldout_likelihood/<set>/<lang>` and `xquad_f1/<lang>`: the language is the name's last part. */
  tasks: Record<string, number>;
  /** `<set>/<lang>` → mean NLL per reference-response token. */
  loss_by_language: Record<string, number>;
  /** Family and language of tasks whose name does not end in their language (`lm_eval/mlqa_de_en`). */
  groups?: Record<string, { family: string; language: string }>;
}

const mean = (values: number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;

/** A runner task name as the aggregation sees it: family = everything before the last `/`, language = the last part. */
export function scoredTask(
  name: string,
  score: number,
  englishLanguages: readonly string[],
  group?: { family: string; language: string },
): ScoredTask {
  const cut = name.lastIndexOf("/");
  const family = group?.family ?? name.slice(0, cut);
  const language = group?.language ?? name.slice(cut + 1);
  return { task: name, family, language, ability: taskAbility(family, language, englishLanguages), score };
}

/** Several measurements of one model (native tasks, lm-eval) as one: tasks, losses and groups together. */
export function mergeMeasured(parts: readonly MeasuredScores[]): MeasuredScores {
  const merged: MeasuredScores = { tasks: {}, loss_by_language: {}, groups: {} };
  for (const part of parts) {
    Object.assign(merged.tasks, part.tasks);
    Object.assign(merged.loss_by_language, part.loss_by_language);
    Object.assign(merged.groups!, part.groups ?? {});
  }
  return merged;
}

/** EA, MA and Overall through the one aggregation of @cftkit/evaluation, plus the English/other losses. */
export function abilityScores(measured: MeasuredScores, englishLanguages: readonly string[]): AbilityScores {
  const scored = Object.entries(measured.tasks).map(([name, score]) =>
    scoredTask(name, score, englishLanguages, measured.groups?.[name]),
  );
  const summary = summarizeAbilities(scored);
  const isEnglish = (key: string) => englishLanguages.includes(key.split("/").pop()!);
  const losses = Object.entries(measured.loss_by_language);
  return {
    ea: summary.ea ?? Number.NaN,
    ma: summary.ma ?? Number.NaN,
    overall: summary.overall ?? Number.NaN,
    tasks: measured.tasks,
    task_abilities: Object.fromEntries(scored.map((t) => [t.task, t.ability])),
    english_loss: mean(losses.filter(([k]) => isEnglish(k)).map(([, v]) => v)),
    multilingual_loss: mean(losses.filter(([k]) => !isEnglish(k)).map(([, v]) => v)),
    loss_by_language: measured.loss_by_language,
  };
}
