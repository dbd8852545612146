import { shellCommand } from "@cftkit/core";
import { type AbilitySummary, summarizeAbilities } from "./aggregate.js";
import { lmEvalModelFor } from "./eval-model-for.js";
import type { LmEvalRunOptions } from "./eval-run-options.js";
import {
  buildLmEvalCommand,
  importLmEvalResults,
  type LmEvalResults,
  lmEvalScoredTasks,
  runLmEval,
} from "./lm-eval-bridge.js";
import { describeTaskScores } from "./score-descriptions.js";

/** lm-eval's results with EA/MA from the one ability aggregation (its task families, docs/evaluation.md). */
export type LmEvalScores<R extends LmEvalResults = LmEvalResults> = R & { abilities: AbilitySummary };

/** What `evaluateWithLmEval` did: the command only (a dry run), or the command and the scores it produced. */
export type LmEvalRunReport = { command: string[] } | LmEvalScores<LmEvalResults & { command: string[] }>;

/** Add EA/MA to lm-eval results (only the paper's task families count towards them; see lmEvalScoredTasks). */
export function lmEvalScores<R extends LmEvalResults>(results: R): LmEvalScores<R> {
  return { ...results, abilities: summarizeAbilities(lmEvalScoredTasks(results)) };
}

/** Read an lm-eval `results_*.json` and score it: its tasks (0-1) and EA/MA. */
export async function importLmEvalScores(path: string): Promise<LmEvalScores> {
  return lmEvalScores(await importLmEvalResults(path));
}

/**
 * Run lm-evaluation-harness on a model folder (`hf`) or an OpenAI-compatible server (`local-completions`) as
 * `lmEvalRunOptionsSchema` describes, and score its results; with `dryRun`, only the command it would run.
 * `onStart` gets the command as a shell line before it runs, `onLine` each line lm-eval prints. The server's
 * API key defaults to $OPENAI_API_KEY.
 */
export async function evaluateWithLmEval(
  options: LmEvalRunOptions & {
    apiKey?: string;
    onStart?: (line: string) => void;
    onLine?: (line: string) => void;
    env?: NodeJS.ProcessEnv;
  },
): Promise<LmEvalRunReport> {
  const { modelName, dtype, tasks, limit, logSamples, applyChatTemplate } = options;
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  const model = await lmEvalModelFor(options.model, { modelName, dtype, apiKey });
  const lmOptions = { model, tasks, outputPath: options.out, limit, logSamples, applyChatTemplate };
  const { command, args } = buildLmEvalCommand(lmOptions);
  if (options.dryRun) return { command: [command, ...args] };
  options.onStart?.(shellCommand([command, ...args]));
  return lmEvalScores(await runLmEval({ ...lmOptions, onLine: options.onLine, env: options.env }));
}

/** A report in words: the shell command of a dry run, else the score table with EA/MA. */
export function describeLmEvalRun(report: LmEvalRunReport | LmEvalScores): string[] {
  if (!("abilities" in report)) return [shellCommand(report.command)];
  return describeTaskScores(report.tasks, report.abilities);
}
