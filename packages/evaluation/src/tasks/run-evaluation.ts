import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  CftkitError,
  type ProgressReporter,
  readJsonLines,
  silentProgress,
  stableHash,
  writeFileAtomic,
  writeJsonAtomic,
} from "@cftkit/core";
import type { ChatMessage } from "@cftkit/core";
import { type AbilitySummary, summarizeAbilities, taskAbility } from "../aggregate.js";
import { readIfevalInputs } from "@cftkit/metrics";
import type { EvalModel } from "./eval-model.js";
import { ifevalTask, loadXlsumItems, xlsumTask } from "./generation-tasks.js";
import { type HeldoutExample, heldoutLikelihood } from "./heldout-likelihood-task.js";
import { loadHellaswagItems, loadMmluItems, multipleChoiceTask } from "./multiple-choice-task.js";
import { type AlpacaEvalAnnotator, alpacaEvalTask } from "./alpaca-eval-annotator.js";
import { loadPairwiseItems, pairwiseJudgeTask } from "./pairwise-judge-task.js";
import { qaGenerationTask } from "./qa-generation-task.js";
import { loadSquadQaItems } from "./qa-items.js";
import type { Ability, TaskResult } from "./task-result.js";

export type TaskFamily =
  | "ifeval"
  | "xquad"
  | "mlqa"
  | "mmlu"
  | "global_mmlu"
  | "hellaswag"
  | "xlsum"
  | "alpaca_eval"
  | "heldout";

/** One task to run: its family, language and local file. */
export interface TaskSpec {
  /** Result name (file stem), e.g. `xquad_de`, `mlqa_de_en`, `mmlu`, `heldout`. */
  name: string;
  family: TaskFamily;
  language: string;
  /** The local data file in the family's published layout. */
  path: string;
  /** Keep the first N items. */
  limit?: number;
  /** Override the family's default EA/MA assignment. */
  ability?: Ability;
  /** MLQA: question language (`mlqa_<context>_<question>`). */
  questionLanguage?: string;
}

/** A task's ability unless its spec says otherwise: the one rule in aggregate.ts. */
const defaultAbility = (family: TaskFamily, language: string): Ability => taskAbility(family, language);

/**
 * Parse a task string (the CLI's `--tasks` entries): `ifeval[:FILE]`, `xquad_<lang>[:FILE]` (default
 * `<dataDir>/xquad/xquad.<lang>.json`), `mlqa_<ctx>_<q>:FILE`, `mmlu:FILE`, `global_mmlu_<lang>:FILE`,
 * `hellaswag:FILE`, `xlsum_<lang>:FILE`, `alpaca_eval[_<lang>]:FILE`, `heldout[_<lang>]:FILE`.
 */
export function parseTaskSpec(text: string, options: { dataDir?: string; limit?: number } = {}): TaskSpec {
  const dataDir = options.dataDir ?? "data";
  const colon = text.indexOf(":");
  const name = (colon >= 0 ? text.slice(0, colon) : text).trim();
  const file = colon >= 0 ? text.slice(colon + 1).trim() : undefined;
  const need = (what: string) => {
    if (!file) throw new CftkitError("EVAL_BAD_TASK", `task "${name}" needs a file: ${name}:<${what}>`);
    return file;
  };
  const spec = (
    family: TaskFamily,
    language: string,
    path: string,
    extra: Partial<TaskSpec> = {},
  ): TaskSpec => ({
    name,
    family,
    language,
    path: resolve(path),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...extra,
  });
  let m: RegExpExecArray | null;
  if (name === "ifeval") return spec("ifeval", "en", file ?? join(dataDir, "ifeval", "input_data.jsonl"));
  if ((m = /^xquad_([a-z]{2})$/.exec(name)))
    return spec("xquad", m[1]!, file ?? join(dataDir, "xquad", `xquad.${m[1]}.json`));
  if ((m = /^mlqa_([a-z]{2})_([a-z]{2})$/.exec(name)))
    return spec("mlqa", m[1]!, need("test-context-xx-question-yy.json"), { questionLanguage: m[2]! });
  if (name === "mmlu") return spec("mmlu", "en", need("mmlu.csv|jsonl"));
  if ((m = /^global_mmlu(?:_full)?_([a-z]{2,3})$/.exec(name)))
    return spec("global_mmlu", m[1]!, need("global_mmlu.csv|jsonl"));
  if (name === "hellaswag") return spec("hellaswag", "en", need("hellaswag.jsonl"));
  if ((m = /^xlsum_([a-z_]+)$/.exec(name))) return spec("xlsum", m[1]!, need("xlsum.jsonl"));
  if ((m = /^alpaca_eval(?:_([a-z]{2}))?$/.exec(name)))
    return spec("alpaca_eval", m[1] ?? "en", need("alpaca_eval.json|jsonl"));
  if ((m = /^heldout(?:_([a-z]{2,3}))?$/.exec(name)))
    return spec("heldout", m[1] ?? "*", need("heldout.jsonl"));
  throw new CftkitError(
    "EVAL_BAD_TASK",
    `unknown task "${name}" (ifeval, xquad_<lang>, mlqa_<ctx>_<q>, mmlu, global_mmlu_<lang>, hellaswag, xlsum_<lang>, alpaca_eval, heldout)`,
  );
}

/** Held-out chat examples from JSONL: `{messages, language}` rows (the embedded trainer's format) or cftkit records. */
export async function loadHeldoutExamples(
  path: string,
  options: { limit?: number; language?: string } = {},
): Promise<HeldoutExample[]> {
  const out: HeldoutExample[] = [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  for await (const line of readJsonLines(path)) {
    if (out.length >= limit) break;
    if (!line.ok) throw new CftkitError("EVAL_BAD_JSON", `${path} line ${line.lineNumber}: ${line.reason}`);
    const v = line.value as {
      messages?: ChatMessage[];
      language?: unknown;
      instruction?: unknown;
      input?: unknown;
      output?: unknown;
    };
    const language = typeof v.language === "string" ? v.language : (options.language ?? "en");
    let messages: ChatMessage[];
    if (
      Array.isArray(v.messages) &&
      v.messages.length >= 2 &&
      v.messages[v.messages.length - 1]!.role === "assistant"
    )
      messages = v.messages;
    else if (typeof v.instruction === "string" && typeof v.output === "string")
      messages = [
        {
          role: "user",
          content: v.instruction + (typeof v.input === "string" && v.input ? `\n\n${v.input}` : ""),
        },
        { role: "assistant", content: v.output },
      ];
    else
      throw new CftkitError(
        "EVAL_BAD_DATASET",
        `${path} line ${line.lineNumber}: expected {messages ending with an assistant turn} or {instruction, output}`,
      );
    if (options.language && options.language !== "*" && language !== options.language) continue;
    out.push({ messages, language });
  }
  return out;
}

/** Run one task spec; held-out files give one result per language. */
export async function runTask(
  model: EvalModel,
  spec: TaskSpec,
  options: { progress?: ProgressReporter; judge?: EvalModel; alpacaEvalAnnotator?: AlpacaEvalAnnotator } = {},
): Promise<TaskResult[]> {
  const progress = options.progress ?? silentProgress;
  const ability = spec.ability ?? defaultAbility(spec.family, spec.language);
  const base = { task: spec.name, family: spec.family, language: spec.language, ability };
  switch (spec.family) {
    case "ifeval": {
      const inputs = (await readIfevalInputs(spec.path)).slice(0, spec.limit);
      return [{ ...(await ifevalTask(model, inputs, { progress })), ...base }];
    }
    case "xquad":
    case "mlqa": {
      const items = await loadSquadQaItems(spec.path, { language: spec.language, limit: spec.limit });
      const scorer = spec.family === "mlqa" ? "mlqa" : "squad";
      const r = await qaGenerationTask(model, items, { language: spec.language, scorer, progress });
      return [
        {
          ...base,
          metric: "f1",
          score: r.f1 / 100,
          count: r.count,
          details: { f1: r.f1 / 100, exact_match: r.exact_match / 100, scorer: r.scorer },
          predictions: items.map((item) => ({
            id: item.id,
            prediction: r.predictions[item.id] ?? "",
            gold: item.answers,
          })),
        },
      ];
    }
    case "mmlu":
    case "global_mmlu":
    case "hellaswag": {
      const items =
        spec.family === "hellaswag"
          ? await loadHellaswagItems(spec.path, { limit: spec.limit })
          : await loadMmluItems(spec.path, { limit: spec.limit, subjectDescription: spec.family === "mmlu" });
      const r = await multipleChoiceTask(model, items, { progress, label: `${spec.name} ${model.id}` });
      const metric = spec.family === "hellaswag" ? "acc_norm" : "acc";
      return [
        {
          ...base,
          metric,
          score: r[metric],
          count: r.count,
          details: { acc: r.acc, acc_norm: r.acc_norm },
          predictions: items.map((item, i) => ({
            id: item.id,
            prediction: r.predictions[i]![metric],
            gold: item.gold,
            logLikelihoods: r.logLikelihoods[i],
          })),
        },
      ];
    }
    case "xlsum": {
      const items = await loadXlsumItems(spec.path, { limit: spec.limit });
      return [{ ...(await xlsumTask(model, items, { language: spec.language, progress })), ...base }];
    }
    case "alpaca_eval": {
      if (!options.judge)
        throw new CftkitError(
          "EVAL_NO_JUDGE",
          `${spec.name} needs a judge model behind an OpenAI-compatible endpoint (--judge <url>)`,
        );
      const items = await loadPairwiseItems(spec.path, { limit: spec.limit });
      // Default: alpaca_eval's own GPT-4 annotator protocol; `cftkit_pairwise` is cftkit's earlier judge.
      const annotator = options.alpacaEvalAnnotator ?? "alpaca_eval_gpt4";
      const judged =
        annotator === "alpaca_eval_gpt4"
          ? await alpacaEvalTask(model, options.judge, items, { language: spec.language, progress })
          : await pairwiseJudgeTask(model, options.judge, items, { language: spec.language, progress });
      return [{ ...judged, ...base, details: { annotator, ...judged.details } }];
    }
    case "heldout": {
      const examples = await loadHeldoutExamples(spec.path, { limit: spec.limit, language: spec.language });
      if (examples.length === 0)
        throw new CftkitError("EVAL_EMPTY_TASK", `${spec.path}: no held-out examples`);
      const r = await heldoutLikelihood(model, examples, { progress });
      return Object.entries(r.byGroup ?? {}).map(([language, g]) => ({
        task: spec.name === "heldout" ? `heldout_${language}` : spec.name,
        family: "heldout",
        language,
        ability: spec.ability ?? defaultAbility("heldout", language),
        metric: "token_probability",
        score: Math.exp(-g.meanNll),
        count: g.records,
        details: { meanNll: g.meanNll, perplexity: g.perplexity, tokens: g.tokens },
        predictions: [],
      }));
    }
  }
}

export interface EvaluationReport {
  model: string;
  tasks: Omit<TaskResult, "predictions">[];
  abilities: AbilitySummary;
  /** Task names read back from an earlier run instead of being run again. */
  resumed: string[];
}

/**
 * Run tasks against a model. With `out`, each task's result goes to `<out>/tasks/<name>.json` and its
 * predictions to `<out>/predictions/<name>.jsonl` (atomically, as soon as the task ends), and the report to
 * `<out>/results.json`; a rerun with the same spec and model reads finished tasks back instead of running them
 * (requests inside an unfinished task are resumed by the model's response cache).
 */
export async function runEvaluation(options: {
  model: EvalModel;
  tasks: TaskSpec[];
  out?: string;
  judge?: EvalModel;
  /** How alpaca_eval tasks are judged (default `alpaca_eval_gpt4`). */
  alpacaEvalAnnotator?: AlpacaEvalAnnotator;
  progress?: ProgressReporter;
}): Promise<EvaluationReport> {
  const { model, out } = options;
  const results: Omit<TaskResult, "predictions">[] = [];
  const resumed: string[] = [];
  for (const spec of options.tasks) {
    const annotator =
      spec.family === "alpaca_eval" ? { annotator: options.alpacaEvalAnnotator ?? "alpaca_eval_gpt4" } : {};
    const specHash = stableHash({ model: model.id, spec, ...annotator });
    const file = out ? join(out, "tasks", `${spec.name}.json`) : null;
    if (file) {
      const previous = await readFile(file, "utf8").then(
        (t) => JSON.parse(t) as { specHash?: string; results?: Omit<TaskResult, "predictions">[] },
        () => null,
      );
      if (previous?.specHash === specHash && Array.isArray(previous.results)) {
        results.push(...previous.results);
        resumed.push(spec.name);
        continue;
      }
    }
    const taskResults = await runTask(model, spec, {
      progress: options.progress,
      judge: options.judge,
      alpacaEvalAnnotator: options.alpacaEvalAnnotator,
    });
    const stripped = taskResults.map(({ predictions: _p, ...rest }) => rest);
    if (out && file) {
      const predictions = taskResults.flatMap((r) =>
        r.predictions.map((p) => JSON.stringify({ task: r.task, ...p })),
      );
      await writeFileAtomic(
        join(out, "predictions", `${spec.name}.jsonl`),
        predictions.length ? `${predictions.join("\n")}\n` : "",
      );
      await writeJsonAtomic(file, { specHash, spec, model: model.id, results: stripped });
    }
    results.push(...stripped);
  }
  const report: EvaluationReport = {
    model: model.id,
    tasks: results,
    abilities: summarizeAbilities(results),
    resumed,
  };
  if (out) await writeJsonAtomic(join(out, "results.json"), report);
  return report;
}
