import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { CftkitError, type ProgressReporter, readJsonLines, sha256File } from "@cftkit/core";
import { readPrompts } from "@cftkit/datasets";
import type { HeldoutExample, QaItem, ResponseItem, XlsumItem } from "@cftkit/evaluation";
import { bundledDataDir } from "./bundled-data.js";
import type { RunExperiment } from "./experiment-schema.js";
import { PipelineLog } from "./pipeline-log.js";

/** A file as a cache input: its path and content hash, so an edited file reruns what reads it. */
export interface FileKey {
  path: string;
  sha256: string;
}

/** The evaluation suite, read once per run. */
export interface EvaluationSuite {
  heldout: { task: string; examples: HeldoutExample[] }[];
  qa: (QaItem & { language: string })[];
  xlsum: { language: string; items: XlsumItem[] }[];
  /** Instructions answered freely and scored against reference responses, per set and language. */
  responses: { task: string; language: string; items: ResponseItem[] }[];
  /** What the evaluation results depend on (file hashes and settings): part of every evaluate key. */
  key: unknown;
}

/** Everything a step may read about the run: the experiment, its folders, its data and its voice. */
export interface RunContext {
  experiment: RunExperiment;
  experimentPath: string;
  /** The experiment file's folder: relative paths in the experiment resolve against it. */
  baseDir: string;
  outDir: string;
  reportDir: string;
  progress: ProgressReporter;
  log: PipelineLog;
  evaluation: EvaluationSuite;
  drift: { path: string; prompts: string[] };
  /** Profile name and notes for the report. */
  profile: string;
  notes: string[];
  started: number;
}

export interface RunContextOptions {
  experiment: RunExperiment;
  experimentPath: string;
  progress: ProgressReporter;
  json?: boolean;
  quiet?: boolean;
  /** Profile name recorded in the results (default: the experiment's `report.profile`, else `custom`). */
  profile?: string;
  /** Notes for the report (default: the experiment's `report.notes`). */
  notes?: string[];
}

export function absolutePath(ctx: Pick<RunContext, "baseDir">, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.baseDir, path);
}

/**
 * A file as a cache input. Its path counts relative to the experiment's folder (a file outside it by its name
 * alone; the content hash identifies it), so a run folder copied to another machine keeps its keys.
 */
export async function fileKey(ctx: Pick<RunContext, "baseDir">, path: string): Promise<FileKey> {
  const abs = absolutePath(ctx, path);
  const inside = relative(ctx.baseDir, abs);
  const portable = !isAbsolute(path)
    ? path
    : inside.startsWith("..") || isAbsolute(inside)
      ? basename(abs)
      : inside;
  return { path: portable, sha256: await sha256File(abs) };
}

export async function readJsonlRows<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  for await (const line of readJsonLines(path)) {
    if (!line.ok) throw new CftkitError("RUN_BAD_DATA", `${path}:${line.lineNumber}: ${line.reason}`);
    rows.push(line.value as T);
  }
  return rows;
}

/** QA rows on disk: `{id, language, messages (the prompt turns), answers}`. */
interface QaRow {
  id: string;
  language: string;
  messages: QaItem["prompt"];
  answers: string[];
}

async function readEvaluationSuite(ctx: Pick<RunContext, "baseDir">, experiment: RunExperiment) {
  const config = experiment.evaluation;
  const abs = (p: string) => absolutePath(ctx, p);
  const key = {
    heldout: await Promise.all(
      config.heldout.map(async (h) => ({ task: h.task, ...(await fileKey(ctx, h.path)) })),
    ),
    qa: await Promise.all(config.qa.map((p) => fileKey(ctx, p))),
    english: config.english_languages,
    qa_max_new_tokens: config.qa_max_new_tokens,
  };
  const heldout = await Promise.all(
    config.heldout.map(async (h) => ({
      task: h.task,
      examples: await readJsonlRows<HeldoutExample>(abs(h.path)),
    })),
  );
  const qaRows = (await Promise.all(config.qa.map((p) => readJsonlRows<QaRow>(abs(p))))).flat();
  const qa = qaRows.map((r) => ({ id: r.id, language: r.language, prompt: r.messages, answers: r.answers }));
  const xlsum = await readXlsum(ctx, experiment);
  const responses = await readResponses(ctx, experiment);
  return {
    heldout,
    qa,
    xlsum: xlsum.sets,
    responses: responses.sets,
    key: { ...key, ...xlsum.key, ...responses.key },
  };
}

/** The XL-Sum sets and their key part (none without XL-Sum, so the keys of runs without it stay as they were). */
async function readXlsum(ctx: Pick<RunContext, "baseDir">, experiment: RunExperiment) {
  const config = experiment.evaluation;
  if (config.xlsum.length === 0) return { sets: [], key: {} };
  const { loadXlsumItems } = await import("@cftkit/evaluation");
  const sets = await Promise.all(
    config.xlsum.map(async (x) => ({
      language: x.language,
      items: await loadXlsumItems(absolutePath(ctx, x.path), { limit: x.limit }),
    })),
  );
  const files = await Promise.all(
    config.xlsum.map(async (x) => ({
      language: x.language,
      limit: x.limit,
      ...(await fileKey(ctx, x.path)),
    })),
  );
  return { sets, key: { xlsum: files, xlsum_max_new_tokens: config.xlsum_max_new_tokens } };
}

/** The response sets per language and their key part (none without them, so other runs keep their keys). */
async function readResponses(ctx: Pick<RunContext, "baseDir">, experiment: RunExperiment) {
  const config = experiment.evaluation;
  if (config.responses.length === 0) return { sets: [], key: {} };
  const { responseItems } = await import("@cftkit/evaluation");
  const sets: EvaluationSuite["responses"] = [];
  for (const r of config.responses) {
    const rows = await readJsonlRows<HeldoutExample>(absolutePath(ctx, r.path));
    for (const language of [...new Set(rows.map((row) => row.language))].sort())
      sets.push({
        task: r.task,
        language,
        items: responseItems(rows.filter((row) => row.language === language)),
      });
  }
  const files = await Promise.all(
    config.responses.map(async (r) => ({ task: r.task, ...(await fileKey(ctx, r.path)) })),
  );
  return { sets, key: { responses: files, responses_max_new_tokens: config.responses_max_new_tokens } };
}

/** Resolve the run's folders and read its evaluation and drift inputs once. */
export async function createRunContext(options: RunContextOptions): Promise<RunContext> {
  const { experiment } = options;
  const experimentPath = resolve(options.experimentPath);
  const baseDir = dirname(experimentPath);
  const outDir = absolutePath({ baseDir }, experiment.output_dir);
  const driftConfig = experiment.analysis.drift;
  const driftPath = driftConfig.prompts
    ? absolutePath({ baseDir }, driftConfig.prompts)
    : join(bundledDataDir(), "mt_bench", "question.jsonl");
  return {
    experiment,
    experimentPath,
    baseDir,
    outDir,
    reportDir: join(outDir, "report"),
    progress: options.progress,
    log: new PipelineLog(
      join(outDir, "run.log"),
      Boolean(options.json),
      Boolean(options.quiet),
      options.progress,
    ),
    evaluation: await readEvaluationSuite({ baseDir }, experiment),
    drift: { path: driftPath, prompts: (await readPrompts(driftPath)).slice(0, driftConfig.max_prompts) },
    profile: options.profile ?? experiment.report.profile ?? "custom",
    notes: options.notes ?? experiment.report.notes,
    started: Date.now(),
  };
}
