import { readFile } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";
import type { Command } from "commander";
import { type CommonOptions, formatTable, log, printHuman, printJson } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";
import { evalRunSubcommand, importLmEvalSubcommand, lmEvalSubcommand } from "./eval-run.js";

// The scorers load inside the actions so `cftkit --help` stays fast.
const metricsApi = () => import("@cftkit/metrics");

/** Adds one `cftkit eval <name>` subcommand. To add a subcommand: write a function like these and list it below. */
export type EvalSubcommand = (evalCommand: Command) => void;

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read ${what} ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CftkitError("EVAL_BAD_JSON", `${what} ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** `{id: answer}` (the official format), or JSONL / a JSON array of `{id, prediction}` (or `prediction_text`). */
async function readPredictions(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, "utf8").catch((cause: unknown) => {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read predictions ${path}`, { cause });
  });
  const fromRows = (rows: unknown[], where: (i: number) => string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [i, row] of rows.entries()) {
      const r = row as { id?: unknown; prediction?: unknown; prediction_text?: unknown };
      const pred = r.prediction ?? r.prediction_text;
      if (typeof r.id !== "string" || typeof pred !== "string") {
        throw new CftkitError(
          "EVAL_BAD_PREDICTIONS",
          `${where(i)}: expected {"id": string, "prediction": string}`,
        );
      }
      out[r.id] = pred;
    }
    return out;
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("{") && !path.endsWith(".jsonl")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_JSON", `predictions ${path} is not valid JSON`, { cause });
    }
    for (const [id, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== "string")
        throw new CftkitError("EVAL_BAD_PREDICTIONS", `${path}: prediction for ${id} is not a string`);
    }
    return value as Record<string, string>;
  }
  if (trimmed.startsWith("[")) {
    const value = (await readJsonFile(path, "predictions")) as unknown[];
    return fromRows(value, (i) => `${path} item ${i}`);
  }
  const rows: unknown[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_PREDICTIONS", `${path} line ${i + 1}: not valid JSON`, { cause });
    }
  }
  if (rows.length === 0) throw new CftkitError("EVAL_EMPTY_PREDICTIONS", `${path} holds no predictions`);
  return fromRows(rows, (i) => `${path} row ${i + 1}`);
}

/** One text per line; `.jsonl` rows may be strings or objects with text/summary/prediction/target/reference. */
async function readTexts(path: string, what: string): Promise<string[]> {
  const text = await readFile(path, "utf8").catch((cause: unknown) => {
    throw new CftkitError("EVAL_FILE_NOT_FOUND", `cannot read ${what} ${path}`, { cause });
  });
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (!path.endsWith(".jsonl")) return lines.map((l) => l.replace(/\r$/, ""));
  return lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (cause) {
      throw new CftkitError("EVAL_BAD_JSON", `${path} line ${i + 1}: not valid JSON`, { cause });
    }
    if (typeof v === "string") return v;
    const o = (v ?? {}) as Record<string, unknown>;
    for (const key of ["text", "summary", "prediction", "target", "reference"]) {
      if (typeof o[key] === "string") return o[key] as string;
    }
    throw new CftkitError(
      "EVAL_BAD_TEXTS",
      `${path} line ${i + 1}: expected a string or an object with a "text" field`,
    );
  });
}

interface QaOptions extends CommonOptions {
  dataset: string;
  predictions: string;
  scorer: string;
  lang: string;
}

const qaSubcommand: EvalSubcommand = (evalCommand) => {
  evalCommand
    .command("qa")
    .description("SQuAD v1.1 / XQuAD or MLQA exact match and F1 (official rules, 0-100)")
    .requiredOption("--dataset <squad.json>", "SQuAD v1.1-layout data set (XQuAD, MLQA, SQuAD)")
    .requiredOption("--predictions <preds.json>", '{"<id>": "<answer>"} (or JSONL of {id, prediction})')
    .option("--scorer <name>", "squad (evaluate-v1.1.py) | mlqa (mlqa_evaluation_v1.py)", "squad")
    .option("--lang <code>", "answer language (mlqa: en es hi vi de ar zh)", "en")
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (options: QaOptions) => {
      const { scoreMlqa, scoreSquad } = await metricsApi();
      if (options.scorer !== "squad" && options.scorer !== "mlqa") {
        throw new CftkitError("EVAL_BAD_SCORER", `--scorer must be squad or mlqa, got "${options.scorer}"`);
      }
      const dataset = (await readJsonFile(options.dataset, "dataset")) as { data?: unknown };
      if (!dataset || !Array.isArray(dataset.data)) {
        throw new CftkitError(
          "EVAL_BAD_DATASET",
          `${options.dataset}: expected SQuAD v1.1 JSON with a "data" array`,
        );
      }
      const predictions = await readPredictions(options.predictions);
      const score =
        options.scorer === "mlqa"
          ? scoreMlqa(dataset as Parameters<typeof scoreMlqa>[0], predictions, options.lang)
          : scoreSquad(dataset as Parameters<typeof scoreSquad>[0], predictions);
      if (score.answered < score.count)
        log(options, `${score.count - score.answered} unanswered question(s) score 0`);
      const result = {
        exact_match: score.exact_match,
        f1: score.f1,
        count: score.count,
        answered: score.answered,
        scorer: options.scorer,
        lang: options.lang,
      };
      if (options.json) printJson(result);
      else
        printHuman(
          options,
          `exact_match ${score.exact_match.toFixed(4)}  f1 ${score.f1.toFixed(4)}  (${score.count} questions, ${options.scorer}/${options.lang})`,
        );
    });
};

interface IfevalOptions extends CommonOptions {
  input: string;
  responses: string;
  out?: string;
}

const ifevalSubcommand: EvalSubcommand = (evalCommand) => {
  evalCommand
    .command("ifeval")
    .description("IFEval strict and loose accuracy (google-research instruction_following_eval rules)")
    .requiredOption("--input <input_data.jsonl>", "prompts with instruction_id_list and kwargs")
    .requiredOption("--responses <responses.jsonl>", "{prompt, response} per line")
    .option(
      "--out <dir>",
      "also write eval_results_strict.jsonl and eval_results_loose.jsonl (official schema)",
    )
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (options: IfevalOptions) => {
      const { evaluateIfeval, readIfevalInputs, readIfevalResponses, writeIfevalOutputs } =
        await metricsApi();
      const inputs = await readIfevalInputs(options.input);
      const responses = await readIfevalResponses(options.responses);
      const result = evaluateIfeval(inputs, responses);
      if (options.out) {
        const files = await writeIfevalOutputs(options.out, result);
        log(options, `wrote ${files.strict} and ${files.loose}`);
      }
      if (options.json) printJson(result.metrics);
      else {
        printHuman(
          options,
          formatTable(
            ["metric", "value"],
            Object.entries(result.metrics).map(([k, v]) => [k, v.toFixed(6)]),
          ),
        );
      }
    });
};

interface RougeCliOptions extends CommonOptions {
  predictions: string;
  references: string;
  lang: string;
  stem?: boolean;
}

const rougeSubcommand: EvalSubcommand = (evalCommand) => {
  evalCommand
    .command("rouge")
    .description(
      "ROUGE-1/2/L precision, recall, F1 (0-1, mean over pairs): rouge_score rules for en, XL-Sum-style tokens otherwise",
    )
    .requiredOption("--predictions <file>", "one prediction per line (.txt) or per JSONL row")
    .requiredOption("--references <file>", "one reference per line, paired with the predictions")
    .option(
      "--lang <code>",
      "en: Google rouge_score tokenizer; anything else: multilingual (XL-Sum-style) tokenizer",
      "en",
    )
    .option("--stem", "Porter stemmer (NLTK extensions mode) on tokens longer than 3 characters")
    .option("--json", "print one JSON document")
    .option("--quiet", "no logs on stderr")
    .action(async (options: RougeCliOptions) => {
      const { rougeCorpus } = await metricsApi();
      const predictions = await readTexts(options.predictions, "predictions");
      const references = await readTexts(options.references, "references");
      const mode = options.lang === "en" ? "en" : "multilingual";
      const scores = rougeCorpus(references, predictions, { stem: options.stem ?? false, mode });
      const result = { ...scores, lang: options.lang, mode, stem: options.stem ?? false };
      if (options.json) printJson(result);
      else {
        printHuman(
          options,
          formatTable(
            ["type", "precision", "recall", "f1"],
            (["rouge1", "rouge2", "rougeL"] as const).map((k) => [
              k,
              scores[k].precision.toFixed(5),
              scores[k].recall.toFixed(5),
              scores[k].fmeasure.toFixed(5),
            ]),
          ),
        );
      }
    });
};

/** The `cftkit eval` subcommands, in help order. */
export const evalSubcommands: EvalSubcommand[] = [
  qaSubcommand,
  ifevalSubcommand,
  rougeSubcommand,
  evalRunSubcommand,
  importLmEvalSubcommand,
  lmEvalSubcommand,
];

/** `cftkit eval …`: English and multilingual ability scores. */
export const evalCommand: CommandModule = {
  register(program: Command) {
    const evalGroup = program.command("eval").description("score models like the official evaluation tools");
    for (const add of evalSubcommands) add(evalGroup);
  },
};
