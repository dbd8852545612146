import { CftkitError } from "@cftkit/core/errors";

/** One multiple-choice item: the summed log-likelihood of each choice continuation, its text, and the gold index. */
export interface MultipleChoiceItem {
  /** Σ log p(continuation tokens | context) for each choice. */
  logLikelihoods: number[];
  /** The choice continuations (their length in characters normalises `acc_norm`). */
  choices: string[];
  gold: number;
}

export interface MultipleChoiceResult {
  acc: number;
  acc_norm: number;
  count: number;
  /** Per item: argmax for acc and for acc_norm. */
  predictions: { acc: number; acc_norm: number }[];
}

/** Index of the first maximum (numpy.argmax semantics: ties go to the lowest index). */
function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * lm-eval's multiple-choice metrics: `acc` = argmax of the summed log-likelihoods is the gold choice; `acc_norm` =
 * argmax of log-likelihood ÷ the choice's length in characters (`len(choice)`, lm-eval counts the continuation string
 * as given, including its leading space) is the gold choice. Means over items, in [0, 1].
 */
export function scoreMultipleChoice(items: MultipleChoiceItem[]): MultipleChoiceResult {
  if (items.length === 0) throw new CftkitError("MC_EMPTY", "no multiple-choice items to score");
  let acc = 0;
  let accNorm = 0;
  const predictions: { acc: number; acc_norm: number }[] = [];
  for (const [i, item] of items.entries()) {
    if (item.logLikelihoods.length !== item.choices.length || item.choices.length === 0) {
      throw new CftkitError(
        "MC_BAD_ITEM",
        `item ${i}: ${item.logLikelihoods.length} log-likelihoods for ${item.choices.length} choices`,
      );
    }
    if (!Number.isInteger(item.gold) || item.gold < 0 || item.gold >= item.choices.length) {
      throw new CftkitError("MC_BAD_GOLD", `item ${i}: gold index ${item.gold} out of range`);
    }
    const a = argmax(item.logLikelihoods);
    // Python: len(choice) counts code points.
    const n = argmax(item.logLikelihoods.map((ll, k) => ll / [...item.choices[k]!].length));
    if (a === item.gold) acc++;
    if (n === item.gold) accNorm++;
    predictions.push({ acc: a, acc_norm: n });
  }
  return { acc: acc / items.length, acc_norm: accNorm / items.length, count: items.length, predictions };
}
