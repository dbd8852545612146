import { createHash } from "node:crypto";
import { type ProgressReporter, silentProgress } from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import type { EvalModel } from "./eval-model.js";
import type { PairwiseItem } from "./pairwise-judge-task.js";
import type { TaskResult } from "./task-result.js";

/**
 * AlpacaEval's GPT-4 annotator protocol (tatsu-lab/alpaca_eval, annotator config `alpaca_eval_gpt4`, the
 * AlpacaEval 1.0 evaluator used with text-davinci-003 reference outputs), through any OpenAI-compatible judge:
 * - the judge sees the instruction and two outputs as `model_1` / `model_2` in its ranking prompt format and
 *   answers with a ranking list; the order is randomised per item (seeded), as alpaca_eval does;
 * - temperature 0, at most 100 new tokens;
 * - parser: the rank given to `model_1`; preference 1 = output_1 (the reference) preferred, 2 = output_2 (the
 *   model) preferred, 1.5 = draw; an unparseable answer is dropped (counted in `n_unparsed`);
 * - win rate = mean(preference − 1) × 100 over the parsed items; standard error = sample sd / √n × 100.
 * Identical outputs are a draw (1.5) without asking the judge (a cftkit choice: there is nothing to judge).
 * The prompt text follows alpaca_eval's published template (Apache-2.0); see docs/semantics.md "AlpacaEval".
 */
export const ALPACA_EVAL_ANNOTATORS = ["alpaca_eval_gpt4", "cftkit_pairwise"] as const;
export type AlpacaEvalAnnotator = (typeof ALPACA_EVAL_ANNOTATORS)[number];

export const ALPACA_EVAL_GPT4_SETTINGS = { maxNewTokens: 100, temperature: 0 } as const;

/** The `alpaca_eval_gpt4` ranking prompt for one pair (output_1 shown as model_1, output_2 as model_2). */
export function alpacaEvalRankingPrompt(
  instruction: string,
  output1: string,
  output2: string,
): ChatMessage[] {
  return [
    {
      role: "system",
      content: "You are a helpful assistant, that ranks models by the quality of their answers.",
    },
    {
      role: "user",
      content: `I want you to create a leaderboard of different of large-language models. To do so, I will give you the instructions (prompts) given to the models, and the responses of two models. Please rank the models based on which responses would be preferred by humans. All inputs and outputs should be python dictionaries.

Here is the prompt:
{
    "instruction": """${instruction}""",
}

Here are the outputs of the models:
[
    {
        "model": "model_1",
        "answer": """${output1}"""
    },
    {
        "model": "model_2",
        "answer": """${output2}"""
    }
]

Now please rank the models by the quality of their answers, so that the model with rank 1 has the best output. Then return a list of the model names and ranks, i.e., produce the following output:
[
    {'model': <model-name>, 'rank': <model-rank>},
    {'model': <model-name>, 'rank': <model-rank>}
]

Your response must be a valid Python dictionary and should contain nothing else because we will directly execute it in Python. Please provide the ranking that the majority of humans would give.`,
    },
  ];
}

/** The rank the judge gave `model_1` (1 or 2), or null when the answer holds no such ranking. */
export function parseRanking(reply: string): 1 | 2 | null {
  // A Python list of dicts; keys and values may use either quote, in either key order.
  for (const m of reply.matchAll(/\{[^{}]*\}/g)) {
    const entry = m[0];
    if (!/['"]model['"]\s*:\s*['"]model_1['"]/.test(entry)) continue;
    const rank = /['"]rank['"]\s*:\s*([12])\b/.exec(entry);
    if (rank) return Number(rank[1]) as 1 | 2;
  }
  return null;
}

/** alpaca_eval's head-to-head numbers from preferences in [1, 2] (1.5 = draw). */
export function winRateOf(preferences: readonly number[]): {
  win_rate: number;
  standard_error: number;
  n_wins: number;
  n_wins_base: number;
  n_draws: number;
  n_total: number;
} {
  const n = preferences.length;
  const shifted = preferences.map((p) => p - 1);
  const mean = n ? shifted.reduce((a, b) => a + b, 0) / n : 0;
  const variance = n > 1 ? shifted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return {
    win_rate: mean * 100,
    standard_error: n ? (Math.sqrt(variance) / Math.sqrt(n)) * 100 : 0,
    n_wins: preferences.filter((p) => p > 1.5).length,
    n_wins_base: preferences.filter((p) => p < 1.5).length,
    n_draws: preferences.filter((p) => p === 1.5).length,
    n_total: n,
  };
}

/** Whether item `id` shows the model's output first (seeded, so a rerun asks the judge the same prompts). */
function modelShownFirst(id: string, instruction: string, seed: number): boolean {
  return createHash("sha256").update(`${seed}\0${id}\0${instruction}`).digest()[0]! % 2 === 1;
}

/**
 * AlpacaEval with the `alpaca_eval_gpt4` annotator: the model answers each instruction of the reference-outputs
 * file, the judge ranks its output against the reference output. Score = win rate / 100 (0–1, as the paper's
 * tables print it).
 */
export async function alpacaEvalTask(
  model: EvalModel,
  judge: EvalModel,
  items: PairwiseItem[],
  options: {
    language?: string;
    maxNewTokens?: number;
    seed?: number;
    progress?: ProgressReporter;
    task?: string;
  } = {},
): Promise<TaskResult> {
  const progress = options.progress ?? silentProgress;
  const seed = options.seed ?? 0;
  progress.start(
    `alpaca_eval ${model.id} vs reference (annotator alpaca_eval_gpt4, judge ${judge.id})`,
    items.length,
  );
  const outputs = await model.generate(
    items.map((item) => ({
      prompt: [{ role: "user", content: item.instruction }] as ChatMessage[],
      maxNewTokens: options.maxNewTokens ?? 512,
    })),
  );
  const pairs = items.map((item, i) => {
    const swapped = modelShownFirst(item.id, item.instruction, seed);
    const [output1, output2] = swapped ? [outputs[i]!, item.reference] : [item.reference, outputs[i]!];
    return {
      item,
      output: outputs[i]!,
      swapped,
      output1,
      output2,
      same: outputs[i]!.trim() === item.reference.trim(),
    };
  });
  const toJudge = pairs.filter((p) => !p.same);
  const replies = await judge.generate(
    toJudge.map((p) => ({
      prompt: alpacaEvalRankingPrompt(p.item.instruction, p.output1, p.output2),
      maxNewTokens: ALPACA_EVAL_GPT4_SETTINGS.maxNewTokens,
    })),
  );
  const replyOf = new Map(toJudge.map((p, i) => [p, replies[i]!]));
  progress.update({ done: items.length });
  progress.stop();
  const preferences: number[] = [];
  let unparsed = 0;
  const predictions = pairs.map((p) => {
    const reply = replyOf.get(p) ?? null;
    let preference: number | null = 1.5;
    if (reply !== null) {
      const rank = parseRanking(reply);
      // Preference in the shown order is the rank of model_1; un-swap so that 2 always means "the model won".
      preference = rank === null ? null : p.swapped ? 3 - rank : rank;
    }
    if (preference === null) unparsed++;
    else preferences.push(preference);
    return {
      id: p.item.id,
      prediction: p.output,
      gold: p.item.reference,
      ...(preference === null ? {} : { score: preference - 1 }),
      preference,
      model_shown_first: p.swapped,
      judge_reply: reply,
    };
  });
  const stats = winRateOf(preferences);
  const language = options.language ?? items[0]?.language ?? "en";
  return {
    task: options.task ?? "alpaca_eval",
    family: "alpaca_eval",
    language,
    ability: language === "en" ? "EA" : "MA",
    metric: "win_rate",
    score: stats.win_rate / 100,
    count: items.length,
    details: { annotator: "alpaca_eval_gpt4", judge: judge.id, seed, ...stats, n_unparsed: unparsed },
    predictions,
  };
}
