import { CftkitError, type ProgressReporter, readJsonLines, silentProgress } from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import { evaluateIfeval, type IfevalInput } from "@cftkit/metrics";
import type { EvalModel } from "./eval-model.js";
import { rougeForLanguage } from "./response-rouge-task.js";
import type { TaskResult } from "./task-result.js";

/**
 * IFEval: each prompt as one user turn, greedy generation (lm-eval: up to 1280 new tokens), scored by the
 * official rules. Score = prompt-level strict accuracy (lm-eval's first IFEval metric); all four in details.
 */
export async function ifevalTask(
  model: EvalModel,
  inputs: IfevalInput[],
  options: { maxNewTokens?: number; progress?: ProgressReporter } = {},
): Promise<TaskResult> {
  const progress = options.progress ?? silentProgress;
  progress.start(`ifeval ${model.id}`, inputs.length);
  const responses = await model.generate(
    inputs.map((input) => ({
      prompt: [{ role: "user", content: input.prompt }] as ChatMessage[],
      maxNewTokens: options.maxNewTokens ?? 1280,
    })),
  );
  progress.update({ done: inputs.length });
  progress.stop();
  const map = new Map(inputs.map((input, i) => [input.prompt, responses[i]!]));
  const result = evaluateIfeval(inputs, map);
  return {
    task: "ifeval",
    family: "ifeval",
    language: "en",
    ability: "EA",
    metric: "prompt_level_strict_acc",
    score: result.metrics.prompt_level_strict_acc,
    count: inputs.length,
    details: { ...result.metrics },
    predictions: inputs.map((input, i) => ({
      id: String(input.key ?? i),
      prediction: responses[i]!,
      strict: result.strict[i]!.follow_all_instructions,
      loose: result.loose[i]!.follow_all_instructions,
    })),
  };
}

/** One XL-Sum row (the published JSONL: id, url, title, summary, text). */
export interface XlsumItem {
  id: string;
  text: string;
  summary: string;
}

export async function loadXlsumItems(path: string, options: { limit?: number } = {}): Promise<XlsumItem[]> {
  const items: XlsumItem[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  for await (const line of readJsonLines(path)) {
    if (items.length >= limit) break;
    if (!line.ok) throw new CftkitError("EVAL_BAD_JSON", `${path} line ${line.lineNumber}: ${line.reason}`);
    const v = line.value as { id?: unknown; text?: unknown; summary?: unknown };
    if (typeof v.text !== "string" || typeof v.summary !== "string")
      throw new CftkitError("EVAL_BAD_DATASET", `${path} line ${line.lineNumber}: expected {text, summary}`);
    items.push({
      id: typeof v.id === "string" ? v.id : String(line.lineNumber),
      text: v.text,
      summary: v.summary,
    });
  }
  return items;
}

/** XL-Sum has no lm-eval task: a plain zero-shot instruction (XL-Sum references are one-sentence summaries). */
export const XLSUM_PROMPT =
  "Summarize the following article in one sentence, in the article's language.\n\n{text}";

/**
 * Abstractive summarisation: greedy summaries scored with ROUGE against the references — `rouge_score` rules
 * for English, the multilingual (XL-Sum-style) tokenizer otherwise. Score = mean ROUGE-L F1.
 */
export async function xlsumTask(
  model: EvalModel,
  items: XlsumItem[],
  options: { language: string; prompt?: string; maxNewTokens?: number; progress?: ProgressReporter },
): Promise<TaskResult> {
  const progress = options.progress ?? silentProgress;
  const template = options.prompt ?? XLSUM_PROMPT;
  progress.start(`xlsum ${options.language} ${model.id}`, items.length);
  const outputs = await model.generate(
    items.map((item) => ({
      prompt: [{ role: "user", content: template.replace("{text}", item.text) }] as ChatMessage[],
      maxNewTokens: options.maxNewTokens ?? 96,
    })),
  );
  progress.update({ done: items.length });
  progress.stop();
  const predictions = outputs.map((o) => o.trim());
  const { rouge, mode } = rougeForLanguage(
    items.map((i) => i.summary),
    predictions,
    options.language,
  );
  return {
    task: `xlsum_${options.language}`,
    family: "xlsum",
    language: options.language,
    ability: options.language === "en" ? "EA" : "MA",
    metric: "rougeL_f",
    score: rouge.rougeL.fmeasure,
    count: items.length,
    details: {
      rouge1_f: rouge.rouge1.fmeasure,
      rouge2_f: rouge.rouge2.fmeasure,
      rougeL_f: rouge.rougeL.fmeasure,
      mode,
    },
    predictions: items.map((item, i) => ({ id: item.id, prediction: predictions[i]!, gold: item.summary })),
  };
}
