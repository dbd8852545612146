import { type ChatMessage, type ProgressReporter, silentProgress } from "@cftkit/core";
import { rougeCorpus } from "@cftkit/metrics";
import type { EvalModel } from "./eval-model.js";
import type { TaskResult } from "./task-result.js";

/** One instruction with the reference response the model's greedy answer is compared with. */
export interface ResponseItem {
  id: string;
  /** The turns before the reference response. */
  prompt: ChatMessage[];
  reference: string;
}

/** Held-out chat examples as response items: the last assistant turn is the reference, the turns before it the prompt. */
export function responseItems(
  examples: readonly { id?: string; messages: readonly ChatMessage[] }[],
): ResponseItem[] {
  return examples.flatMap((example, i) => {
    const last = example.messages.findLastIndex((m) => m.role === "assistant");
    if (last < 1) return [];
    return [
      {
        id: example.id ?? String(i),
        prompt: example.messages.slice(0, last),
        reference: example.messages[last]!.content,
      },
    ];
  });
}

/** ROUGE as the language's reference tool scores it: `rouge_score` with stemming for English, XL-Sum's multilingual tokenizer otherwise. */
export function rougeForLanguage(references: string[], predictions: string[], language: string) {
  const mode = language === "en" ? ("en" as const) : ("multilingual" as const);
  return { rouge: rougeCorpus(references, predictions, { mode, stem: mode === "en" }), mode };
}

/**
 * Free-form answers to held-out instructions, scored by ROUGE-L F1 against the reference responses
 * (`rouge_score` rules with stemming for English, the multilingual XL-Sum tokenizer otherwise): a
 * reference-based stand-in for AlpacaEval's judged win rate that a small model can score on. Greedy, so
 * the score is a property of the model, not of sampling.
 */
export async function responseRougeTask(
  model: EvalModel,
  items: ResponseItem[],
  options: { set: string; language: string; maxNewTokens?: number; progress?: ProgressReporter },
): Promise<TaskResult> {
  const progress = options.progress ?? silentProgress;
  progress.start(`responses ${options.set} ${options.language} ${model.id}`, items.length);
  const outputs = await model.generate(
    items.map((item) => ({ prompt: item.prompt, maxNewTokens: options.maxNewTokens ?? 64 })),
  );
  progress.update({ done: items.length });
  progress.stop();
  const predictions = outputs.map((o) => o.trim());
  const { rouge, mode } = rougeForLanguage(
    items.map((i) => i.reference),
    predictions,
    options.language,
  );
  return {
    task: `response_rougeL_${options.set}_${options.language}`,
    family: `response_rougeL_${options.set}`,
    language: options.language,
    ability: options.language === "en" ? "EA" : "MA",
    metric: "rougeL_f",
    score: rouge.rougeL.fmeasure,
    count: items.length,
    details: { rouge1_f: rouge.rouge1.fmeasure, rougeL_f: rouge.rougeL.fmeasure, mode },
    predictions: items.map((item, i) => ({ id: item.id, prediction: predictions[i]!, gold: item.reference })),
  };
}
