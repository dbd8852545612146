import { CftkitError, type ProgressReporter, readJsonLines, silentProgress } from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import type { EvalModel } from "./eval-model.js";
import type { TaskResult } from "./task-result.js";

/** One AlpacaEval-style item: the instruction and the reference model's output. */
export interface PairwiseItem {
  id: string;
  instruction: string;
  reference: string;
  language?: string;
}

/** AlpacaEval JSON/JSONL rows: `instruction`, `output` (the reference), optional `dataset`/`id`/`language`. */
export async function loadPairwiseItems(
  path: string,
  options: { limit?: number } = {},
): Promise<PairwiseItem[]> {
  const items: PairwiseItem[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const push = (v: Record<string, unknown>, where: string, i: number) => {
    if (typeof v.instruction !== "string" || typeof v.output !== "string")
      throw new CftkitError("EVAL_BAD_DATASET", `${where}: expected {instruction, output}`);
    items.push({
      id: typeof v.id === "string" ? v.id : String(i),
      instruction: v.instruction + (typeof v.input === "string" && v.input ? `\n\n${v.input}` : ""),
      reference: v.output,
      language: typeof v.language === "string" ? v.language : undefined,
    });
  };
  if (path.endsWith(".json")) {
    const { readFile } = await import("node:fs/promises");
    const rows = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>[];
    for (const [i, row] of rows.entries()) {
      if (items.length >= limit) break;
      push(row, `${path} item ${i}`, i);
    }
    return items;
  }
  for await (const line of readJsonLines(path)) {
    if (items.length >= limit) break;
    if (!line.ok) throw new CftkitError("EVAL_BAD_JSON", `${path} line ${line.lineNumber}: ${line.reason}`);
    push(line.value as Record<string, unknown>, `${path} line ${line.lineNumber}`, line.lineNumber - 1);
  }
  return items;
}

/** The judge prompt: which of two outputs follows the instruction better; answer with "A" or "B" only. */
export function judgePrompt(instruction: string, outputA: string, outputB: string): ChatMessage[] {
  return [
    {
      role: "system",
      content:
        "You are a careful evaluator of instruction-following assistants. Judge which output answers the " +
        "instruction better: helpfulness, correctness, and following the instruction (including its language). " +
        "Ignore the order in which the outputs are shown and their length. Reply with exactly one letter: A or B.",
    },
    {
      role: "user",
      content: `# Instruction\n${instruction}\n\n# Output A\n${outputA}\n\n# Output B\n${outputB}\n\n# Which output is better? Answer A or B.`,
    },
  ];
}

/** The verdict in a judge's reply: the first standalone A or B, or null. */
export function parseVerdict(reply: string): "A" | "B" | null {
  const m = /(?:^|[^A-Za-z])([AB])(?![A-Za-z])/.exec(reply.trim());
  return m ? (m[1] as "A" | "B") : null;
}

/**
 * AlpacaEval-style pairwise judging: the model answers each instruction; a judge model compares its output
 * with the reference twice, once in each order, so a judge that prefers a position cancels out. Per item:
 * 1 = won both orders, 0.5 = split (or an unparseable verdict counts as a tie), 0 = lost both. Score = win rate
 * (mean over items).
 */
export async function pairwiseJudgeTask(
  model: EvalModel,
  judge: EvalModel,
  items: PairwiseItem[],
  options: { language?: string; maxNewTokens?: number; progress?: ProgressReporter; task?: string } = {},
): Promise<TaskResult> {
  const progress = options.progress ?? silentProgress;
  progress.start(`pairwise ${model.id} vs reference (judge ${judge.id})`, items.length);
  const outputs = await model.generate(
    items.map((item) => ({
      prompt: [{ role: "user", content: item.instruction }] as ChatMessage[],
      maxNewTokens: options.maxNewTokens ?? 512,
    })),
  );
  const verdicts = await judge.generate(
    items.flatMap((item, i) => [
      { prompt: judgePrompt(item.instruction, outputs[i]!, item.reference), maxNewTokens: 4 },
      { prompt: judgePrompt(item.instruction, item.reference, outputs[i]!), maxNewTokens: 4 },
    ]),
  );
  progress.update({ done: items.length });
  progress.stop();
  let total = 0;
  let unparsed = 0;
  let firstPosition = 0;
  const predictions = items.map((item, i) => {
    const modelFirst = parseVerdict(verdicts[2 * i]!);
    const modelSecond = parseVerdict(verdicts[2 * i + 1]!);
    if (modelFirst === null) unparsed++;
    if (modelSecond === null) unparsed++;
    if (modelFirst === "A") firstPosition++;
    if (modelSecond === "A") firstPosition++;
    const wins =
      (modelFirst === "A" ? 1 : modelFirst === null ? 0.5 : 0) +
      (modelSecond === "B" ? 1 : modelSecond === null ? 0.5 : 0);
    const score = wins / 2;
    total += score;
    return {
      id: item.id,
      prediction: outputs[i]!,
      gold: item.reference,
      score,
      verdicts: [verdicts[2 * i]!, verdicts[2 * i + 1]!],
    };
  });
  const language = options.language ?? items[0]?.language ?? "en";
  return {
    task: options.task ?? "alpaca_eval",
    family: "alpaca_eval",
    language,
    ability: language === "en" ? "EA" : "MA",
    metric: "win_rate",
    score: items.length ? total / items.length : 0,
    count: items.length,
    details: {
      win_rate: items.length ? total / items.length : 0,
      judge: judge.id,
      unparsed_verdicts: unparsed,
      /** How often the judge picked the first position (0.5 = no order bias). */
      first_position_rate: items.length ? firstPosition / (2 * items.length) : 0,
    },
    predictions,
  };
}
