import { type ScoredTask, summarizeAbilities, taskAbility } from "@cftkit/evaluation";
import type { AbilityScores } from "./report/experiment-results.js";

/** What the evaluate step measures of one model: task scores in [0, 1] and held-out NLL per set/language. */
export interface MeasuredScores {
  /** `heldout_likelihood/<set>/<lang>` and `xquad_f1/<lang>`: the language is the name's last part. */
  tasks: Record<string, number>;
  /** `<set>/<lang>` → mean NLL per reference-response token. */
  loss_by_language: Record<string, number>;
}

const mean = (values: number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;

/** A runner task name as the aggregation sees it: family = everything before the last `/`, language = the last part. */
export function scoredTask(name: string, score: number, englishLanguages: readonly string[]): ScoredTask {
  const cut = name.lastIndexOf("/");
  const family = name.slice(0, cut);
  const language = name.slice(cut + 1);
  return { task: name, family, language, ability: taskAbility(family, language, englishLanguages), score };
}

/** EA, MA and Overall through the one aggregation of @cftkit/evaluation, plus the English/other losses. */
export function abilityScores(measured: MeasuredScores, englishLanguages: readonly string[]): AbilityScores {
  const scored = Object.entries(measured.tasks).map(([name, score]) =>
    scoredTask(name, score, englishLanguages),
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
