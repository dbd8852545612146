import { taskAbility } from "./aggregate.js";
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, readdir, readFile, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { Ability } from "./tasks/task-result.js";

/** What lm-eval evaluates: a local HF folder (`hf` backend) or a server (`local-completions`). */
export type LmEvalModel =
  | { kind: "hf"; dir: string; dtype?: string }
  | {
      kind: "local-completions";
      /** The completions URL, e.g. `http://127.0.0.1:8000/v1/completions`. */
      baseUrl: string;
      model: string;
      /** HF tokenizer id/folder (lm-eval tokenizes client-side for log-likelihoods). Default: `model`. */
      tokenizer?: string;
      numConcurrent?: number;
    }
  | { kind: "local-chat-completions"; baseUrl: string; model: string };

export interface LmEvalOptions {
  model: LmEvalModel;
  /** lm-eval task names: ifeval, mmlu, hellaswag, xquad_<lang>, mlqa_<ctx>_<q>, global_mmlu_<lang>, … */
  tasks: string[];
  outputPath: string;
  numFewshot?: number;
  batchSize?: string | number;
  limit?: number;
  logSamples?: boolean;
  applyChatTemplate?: boolean;
  /** Executable (default `lm_eval`). */
  executable?: string;
}

/** Tasks lm-eval scores by log-likelihood (not possible through `local-chat-completions`). */
function needsLogLikelihood(task: string): boolean {
  return /^(mmlu|hellaswag|global_mmlu)/.test(task);
}

/** Build the `lm_eval` command line (docs/formats.md, lm-evaluation-harness). */
export function buildLmEvalCommand(options: LmEvalOptions): { command: string; args: string[] } {
  if (options.tasks.length === 0) throw new CftkitError("LM_EVAL_NO_TASKS", "no lm-eval tasks given");
  const m = options.model;
  let modelName: string;
  let modelArgs: string;
  if (m.kind === "hf") {
    modelName = "hf";
    modelArgs = `pretrained=${m.dir},dtype=${m.dtype ?? "bfloat16"}`;
  } else if (m.kind === "local-completions") {
    modelName = "local-completions";
    modelArgs = [
      `model=${m.model}`,
      `base_url=${m.baseUrl}`,
      `tokenizer=${m.tokenizer ?? m.model}`,
      `num_concurrent=${m.numConcurrent ?? 4}`,
      "max_retries=5",
      "tokenized_requests=False",
    ].join(",");
  } else {
    const scored = options.tasks.filter(needsLogLikelihood);
    if (scored.length > 0)
      throw new CftkitError(
        "LM_EVAL_CHAT_NO_LOGLIKELIHOOD",
        `local-chat-completions cannot score log-likelihoods, which ${scored.join(", ")} need: use local-completions (a /v1/completions endpoint with echo+logprobs) or the hf backend`,
      );
    modelName = "local-chat-completions";
    modelArgs = `model=${m.model},base_url=${m.baseUrl}`;
  }
  const args = [
    "--model",
    modelName,
    "--model_args",
    modelArgs,
    "--tasks",
    options.tasks.join(","),
    "--num_fewshot",
    String(options.numFewshot ?? 0),
    "--batch_size",
    String(options.batchSize ?? (m.kind === "hf" ? "auto" : 1)),
    "--output_path",
    options.outputPath,
  ];
  if (options.limit !== undefined) args.push("--limit", String(options.limit));
  if (options.logSamples) args.push("--log_samples");
  if (options.applyChatTemplate ?? m.kind === "local-chat-completions") args.push("--apply_chat_template");
  return { command: options.executable ?? "lm_eval", args };
}

/** Find an executable on PATH (null when absent). */
export async function findExecutable(name: string, path = process.env.PATH ?? ""): Promise<string | null> {
  if (name.includes("/"))
    return (await access(name, constants.X_OK).then(
      () => true,
      () => false,
    ))
      ? name
      : null;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

/** One task's scores from an lm-eval results file. */
export interface LmEvalTaskScore {
  task: string;
  /** The metric cftkit reports for the task (0-1). */
  metric: string;
  score: number;
  /** Every `<metric>,<filter>` value of the task (stderr entries excluded), 0-1. */
  metrics: Record<string, number>;
  family: string;
  language: string;
  ability: Ability;
  /** Group aggregates (`mmlu`) as well as leaf tasks. */
  isGroup: boolean;
}

export interface LmEvalResults {
  path: string | null;
  model: string | null;
  tasks: LmEvalTaskScore[];
  versions: Record<string, unknown>;
  nShot: Record<string, unknown>;
}

/** The metric cftkit takes from lm-eval for each task family (the paper's choices). */
function primaryMetric(task: string): string[] {
  if (task === "ifeval") return ["prompt_level_strict_acc"];
  if (task.startsWith("xquad") || task.startsWith("mlqa")) return ["f1"];
  if (task.startsWith("hellaswag")) return ["acc_norm", "acc"];
  return ["acc", "acc_norm", "exact_match"];
}

function familyOf(task: string): { family: string; language: string; ability: Ability } {
  let m: RegExpExecArray | null;
  if (task === "ifeval") return { family: "ifeval", language: "en", ability: "EA" };
  if (task === "hellaswag") return { family: "hellaswag", language: "en", ability: "EA" };
  if (task === "mmlu" || task.startsWith("mmlu_")) return { family: "mmlu", language: "en", ability: "EA" };
  if ((m = /^xquad_([a-z]{2})$/.exec(task)))
    return { family: "xquad", language: m[1]!, ability: taskAbility("xquad", m[1]!) };
  if ((m = /^mlqa_([a-z]{2})_([a-z]{2})$/.exec(task)))
    return { family: "mlqa", language: m[1]!, ability: taskAbility("mlqa", m[1]!) };
  if ((m = /^global_mmlu(?:_full)?_([a-z]{2,3})(?:_|$)/.exec(task)))
    return { family: "global_mmlu", language: m[1]!, ability: taskAbility("global_mmlu", m[1]!) };
  return { family: task, language: "en", ability: "EA" };
}

/** Parse an lm-eval 0.4 results JSON (top-level `results` with `"<metric>,<filter>"` keys). */
export function parseLmEvalResults(json: unknown, path: string | null = null): LmEvalResults {
  const where = path ?? "lm-eval results";
  const doc = json as {
    results?: Record<string, Record<string, unknown>>;
    groups?: Record<string, unknown>;
    versions?: Record<string, unknown>;
    "n-shot"?: Record<string, unknown>;
    config?: { model_args?: unknown; model?: unknown };
    model_name?: unknown;
  };
  if (!doc || typeof doc !== "object" || !doc.results || typeof doc.results !== "object")
    throw new CftkitError(
      "LM_EVAL_BAD_RESULTS",
      `${where}: no "results" object (is this an lm-eval results_*.json?)`,
    );
  const groups = new Set(Object.keys(doc.groups ?? {}));
  const tasks: LmEvalTaskScore[] = [];
  for (const [task, entry] of Object.entries(doc.results)) {
    const metrics: Record<string, number> = {};
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value !== "number" || !key.includes(",")) continue;
      const [metric, filter] = key.split(",") as [string, string];
      if (metric.endsWith("_stderr")) continue;
      // SQuAD-style metrics come back 0-100 from some task versions: cftkit scores are 0-1.
      const scaled =
        (metric === "f1" || metric === "exact_match" || metric === "exact") && value > 1
          ? value / 100
          : value;
      metrics[filter === "none" ? metric : `${metric},${filter}`] = scaled;
    }
    const wanted = primaryMetric(task).find((m) => m in metrics);
    const metric = wanted ?? Object.keys(metrics)[0];
    if (metric === undefined) continue;
    tasks.push({
      task,
      metric,
      score: metrics[metric]!,
      metrics,
      ...familyOf(task),
      isGroup: groups.has(task),
    });
  }
  const model =
    typeof doc.model_name === "string"
      ? doc.model_name
      : typeof doc.config?.model_args === "string"
        ? doc.config.model_args
        : null;
  return { path, model, tasks, versions: doc.versions ?? {}, nShot: doc["n-shot"] ?? {} };
}

/** Import a results file produced elsewhere. */
export async function importLmEvalResults(path: string): Promise<LmEvalResults> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new CftkitError("LM_EVAL_RESULTS_NOT_FOUND", `cannot read lm-eval results ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CftkitError("LM_EVAL_BAD_RESULTS", `${path} is not valid JSON`, { cause });
  }
  return parseLmEvalResults(json, path);
}

/** The newest `results_*.json` under `<outputPath>/<model_sanitized>/` (or directly under outputPath). */
export async function findLmEvalResultsFile(outputPath: string, since = 0): Promise<string | null> {
  const candidates: { path: string; mtime: number }[] = [];
  const scan = async (dir: string, depth: number) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 2) await scan(p, depth + 1);
      else if (e.isFile() && /^results_.*\.json$/.test(e.name)) {
        const s = await stat(p);
        if (s.mtimeMs >= since) candidates.push({ path: p, mtime: s.mtimeMs });
      }
    }
  };
  await scan(outputPath, 0);
  candidates.sort((a, b) => b.mtime - a.mtime || b.path.localeCompare(a.path));
  return candidates[0]?.path ?? null;
}

/**
 * Run lm-eval (spawned directly, no shell) and parse its results. Output lines are passed to `onLine` as they
 * come (lm-eval logs progress on stderr). Missing `lm_eval` → LM_EVAL_NOT_FOUND with install instructions.
 */
export async function runLmEval(
  options: LmEvalOptions & {
    onLine?: (line: string, stream: "stdout" | "stderr") => void;
    env?: NodeJS.ProcessEnv;
  },
): Promise<LmEvalResults & { command: string[] }> {
  const { command, args } = buildLmEvalCommand(options);
  const env = options.env ?? process.env;
  const executable = await findExecutable(command, env.PATH ?? "");
  if (!executable)
    throw new CftkitError(
      "LM_EVAL_NOT_FOUND",
      `${command} is not installed (not on PATH). Install lm-evaluation-harness: pip install "lm-eval[hf]" ` +
        `(add [vllm] or [api] for those backends), or import results produced elsewhere with ` +
        "`cftkit eval import-lm-eval <results.json>`",
      { exitCode: 2 },
    );
  const started = Date.now() - 1000;
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(executable, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const pump = (stream: NodeJS.ReadableStream, name: "stdout" | "stderr") => {
      let buffer = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split(/\r?\n|\r/);
        buffer = lines.pop()!;
        for (const line of lines) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          options.onLine?.(line, name);
        }
      });
      stream.on("end", () => {
        if (buffer) options.onLine?.(buffer, name);
      });
    };
    pump(child.stdout!, "stdout");
    pump(child.stderr!, "stderr");
    child.on("error", (cause) =>
      reject(
        new CftkitError("LM_EVAL_SPAWN_FAILED", `cannot run ${executable}: ${cause.message}`, { cause }),
      ),
    );
    child.on("close", (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new CftkitError(
            "LM_EVAL_FAILED",
            `lm_eval exited with ${signal ?? `code ${code}`}:\n${tail.join("\n")}`,
            {
              exitCode: 1,
            },
          ),
        );
    });
  });
  const file = await findLmEvalResultsFile(options.outputPath, started);
  if (!file)
    throw new CftkitError(
      "LM_EVAL_NO_RESULTS",
      `lm_eval finished but wrote no results_*.json under ${options.outputPath}`,
    );
  return { ...(await importLmEvalResults(file)), command: [command, ...args] };
}

/**
 * The tasks to aggregate from lm-eval results: the paper's families only; a group's aggregate (`mmlu`) stands
 * for its family and its subtasks (`mmlu_anatomy`, …) are left out.
 */
export function lmEvalScoredTasks(results: LmEvalResults): LmEvalTaskScore[] {
  const groupedFamilies = new Set(
    results.tasks.filter((t) => t.isGroup).map((t) => `${t.family}\u0000${t.language}`),
  );
  const known = new Set(["ifeval", "hellaswag", "mmlu", "xquad", "mlqa", "global_mmlu"]);
  // Tasks cftkit does not know (arc_easy, …) are listed in the results but not counted towards EA/MA.
  return results.tasks.filter(
    (t) => known.has(t.family) && (t.isGroup || !groupedFamilies.has(`${t.family}\u0000${t.language}`)),
  );
}
