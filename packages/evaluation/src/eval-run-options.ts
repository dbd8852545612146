// Its own entry (`@cftkit/evaluation/eval-run-options`, nothing heavy behind it) so `cftkit --help` can read it.
import { join } from "node:path";
import { z } from "zod";
// The package's error codes (a module augmentation of @cftkit/core): the files this light entry pulls in throw them.
import "./error-codes.js";
import { ALPACA_EVAL_ANNOTATORS } from "./tasks/alpaca-eval-annotator.js";

const atLeastOne = z
  .int()
  .min(1)
  .max(2 ** 32 - 1);
const text = () => z.string().min(1);

/**
 * What one evaluation run asks for: the model, the tasks and how to reach the servers. `evaluateModel`
 * checks it, and `cftkit eval run` builds its flags, help text and defaults from it.
 */
export const evalRunOptionsSchema = z.object({
  // `.meta({ path })`: what the path is to the run (read, written), so the CLI's path guard checks it.
  model: text()
    .meta({ path: "model" })
    .describe("HF model folder (embedded) or server URL (e.g. http://127.0.0.1:8000/v1)"),
  modelName: text()
    .optional()
    .describe("server: the model field (default: first of GET /models); results name"),
  tasks: z
    .array(text())
    .min(1)
    .describe(
      "comma list: ifeval[:FILE], xquad_<lang>[:FILE], mlqa_<c>_<q>:FILE, mmlu:FILE, global_mmlu_<lang>:FILE, hellaswag:FILE, xlsum_<lang>:FILE, alpaca_eval:FILE, heldout:FILE",
    ),
  limit: atLeastOne.optional().describe("first N items of each task"),
  out: text()
    .meta({ path: "output-folder" })
    .optional()
    .describe("write tasks/<task>.json, predictions/<task>.jsonl, results.json, responses.jsonl (resumable)"),
  dataDir: text()
    .meta({ path: "input" })
    .default("data")
    .describe("where default task files live (data/xquad, data/ifeval)"),
  concurrency: atLeastOne.default(4).describe("server requests in flight"),
  timeoutMs: atLeastOne.default(120_000).describe("per-request timeout"),
  apiKey: text().optional().describe("server API key (default: $OPENAI_API_KEY)"),
  judge: text().optional().describe("judge model server for alpaca_eval (OpenAI-compatible)"),
  judgeModel: text().optional().describe("judge model name (default: first of GET /models)"),
  alpacaEvalAnnotator: z
    .enum(ALPACA_EVAL_ANNOTATORS)
    .default("alpaca_eval_gpt4")
    .describe(
      "alpaca_eval_gpt4: alpaca_eval's GPT-4 annotator protocol (ranking prompt, random order, win rate against the reference outputs); cftkit_pairwise: cftkit's A/B judge asked in both orders",
    ),
});
export type EvalRunOptions = z.input<typeof evalRunOptionsSchema>;

/** What one lm-evaluation-harness run asks for; `cftkit eval lm-eval` builds its flags from it. */
export const lmEvalRunOptionsSchema = z.object({
  model: text()
    .meta({ path: "model" })
    .describe("HF model folder, or server URL (its /v1/completions must return echo logprobs)"),
  modelName: text()
    .optional()
    .describe("server: model id (also the tokenizer lm-eval loads; default: first of GET /models)"),
  tasks: z
    .array(text())
    .min(1)
    .describe("lm-eval task names: ifeval,mmlu,hellaswag,xquad_<lang>,mlqa_<c>_<q>,global_mmlu_<lang>"),
  out: text().meta({ path: "output-folder" }).describe("lm-eval --output_path"),
  limit: atLeastOne.optional().describe("lm-eval --limit"),
  dtype: text().default("bfloat16").describe("hf backend dtype"),
  logSamples: z.boolean().default(false).describe("lm-eval --log_samples"),
  applyChatTemplate: z.boolean().default(false).describe("lm-eval --apply_chat_template"),
  dryRun: z.boolean().default(false).describe("print the command and exit"),
});
export type LmEvalRunOptions = z.input<typeof lmEvalRunOptionsSchema>;

/** A file path; `.meta({ path })` tells the CLI's path guard what the scorer does with it. */
const file = (role: "input" | "output-folder") => text().meta({ path: role });

/** The files and rules of `scoreQaFiles`; `cftkit eval qa` builds its flags from it. */
export const qaFilesSchema = z.object({
  dataset: file("input").describe("SQuAD v1.1-layout data set (XQuAD, MLQA, SQuAD)"),
  predictions: file("input").describe('{"<id>": "<answer>"} (or JSONL of {id, prediction})'),
  scorer: z
    .enum(["squad", "mlqa"])
    .default("squad")
    .describe("squad (evaluate-v1.1.py) | mlqa (mlqa_evaluation_v1.py)"),
  lang: text().default("en").describe("answer language (mlqa: en es hi vi de ar zh)"),
});

/** The files `scoreIfevalFiles` writes into its `out` folder (the official names). */
const ifevalResultFiles = (dir: string) => [
  join(dir, "eval_results_strict.jsonl"),
  join(dir, "eval_results_loose.jsonl"),
];

/** The files of `scoreIfevalFiles`; `cftkit eval ifeval` builds its flags from it. */
export const ifevalFilesSchema = z.object({
  input: file("input").describe("prompts with instruction_id_list and kwargs"),
  responses: file("input").describe("{prompt, response} per line"),
  out: text()
    .meta({ path: "output-folder", writes: ifevalResultFiles })
    .optional()
    .describe("also write eval_results_strict.jsonl and eval_results_loose.jsonl (official schema)"),
});

/** The files and rules of `rougeFiles`; `cftkit eval rouge` builds its flags from it. */
export const rougeFilesSchema = z.object({
  predictions: file("input").describe("one prediction per line (.txt) or per JSONL row"),
  references: file("input").describe("one reference per line, paired with the predictions"),
  lang: text()
    .default("en")
    .describe("en: Google rouge_score tokenizer; anything else: multilingual (XL-Sum-style) tokenizer"),
  stem: z
    .boolean()
    .default(false)
    .describe("Porter stemmer (NLTK extensions mode) on tokens longer than 3 characters"),
});
