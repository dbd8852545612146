import { type ProgressReporter, silentProgress } from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import { MLQA_LANGUAGES, type MlqaLanguage, scoreMlqa } from "@cftkit/metrics";
import type { QaScore, SquadDataset } from "@cftkit/metrics";
import { scoreSquad } from "@cftkit/metrics";
import type { EvalModel } from "./eval-model.js";

/** One extractive-QA item: the prompt the model answers and the gold answers (SQuAD layout). */
export interface QaItem {
  id: string;
  prompt: ChatMessage[];
  answers: string[];
}

export interface QaTaskResult extends QaScore {
  language: string;
  scorer: "squad" | "mlqa";
  predictions: Record<string, string>;
}

/**
 * Zero-shot extractive QA by generation (XQuAD, MLQA): greedy answers, cut at the first line break, scored
 * with the official SQuAD v1.1 rules (XQuAD) or MLQA's language-specific rules. Scores are 0-100 as the
 * official scripts print them.
 */
export async function qaGenerationTask(
  model: EvalModel,
  items: QaItem[],
  options: {
    language: string;
    scorer?: "squad" | "mlqa";
    maxNewTokens?: number;
    progress?: ProgressReporter;
  },
): Promise<QaTaskResult> {
  const progress = options.progress ?? silentProgress;
  const scorer = options.scorer ?? "squad";
  progress.start(`qa ${options.language} ${model.id}`, items.length);
  const answers = await model.generate(
    items.map((item) => ({ prompt: item.prompt, maxNewTokens: options.maxNewTokens ?? 32, stop: ["\n"] })),
  );
  progress.update({ done: items.length });
  progress.stop();
  const predictions: Record<string, string> = {};
  items.forEach((item, i) => {
    // Servers may ignore `stop`: the answer is the first line either way.
    predictions[item.id] = answers[i]!.split("\n")[0]!.trim();
  });
  const dataset: SquadDataset = {
    data: [
      {
        title: "items",
        paragraphs: [
          {
            context: "",
            qas: items.map((item) => ({
              id: item.id,
              question: "",
              answers: item.answers.map((text) => ({ text, answer_start: 0 })),
            })),
          },
        ],
      },
    ],
  } as SquadDataset;
  const useMlqa = scorer === "mlqa" && (MLQA_LANGUAGES as readonly string[]).includes(options.language);
  const score = useMlqa
    ? scoreMlqa(dataset, predictions, options.language as MlqaLanguage)
    : scoreSquad(dataset, predictions);
  return { ...score, language: options.language, scorer: useMlqa ? "mlqa" : "squad", predictions };
}
