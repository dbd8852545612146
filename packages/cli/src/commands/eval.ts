import { join } from "node:path";
import { z } from "zod";
import { formatTable, log, printResult } from "../cli-output.js";
import { defineCommand, flag, param, pathParam, text } from "../define-command.js";

// The scorers load inside the actions so `cftkit --help` stays fast.
const evaluationApi = () => import("@cftkit/evaluation");

const qa = defineCommand({
  path: ["eval", "qa"],
  description: "SQuAD v1.1 / XQuAD or MLQA exact match and F1 (official rules, 0-100)",
  examples: ["cftkit eval qa --dataset data/xquad/xquad.de.json --predictions preds.json"],
  options: {
    dataset: pathParam("--dataset <squad.json>", "SQuAD v1.1-layout data set (XQuAD, MLQA, SQuAD)", "input"),
    predictions: pathParam(
      "--predictions <preds.json>",
      '{"<id>": "<answer>"} (or JSONL of {id, prediction})',
      "input",
    ),
    scorer: param(
      "--scorer <name>",
      "squad (evaluate-v1.1.py) | mlqa (mlqa_evaluation_v1.py)",
      z.enum(["squad", "mlqa"]).default("squad"),
    ),
    lang: param("--lang <code>", "answer language (mlqa: en es hi vi de ar zh)", text().default("en")),
  },
  async run(options) {
    const { scoreQaFiles } = await evaluationApi();
    const score = await scoreQaFiles(options.dataset, options.predictions, options);
    if (score.answered < score.count)
      log(options, `${score.count - score.answered} unanswered question(s) score 0`);
    printResult(
      options,
      score,
      () =>
        `exact_match ${score.exact_match.toFixed(4)}  f1 ${score.f1.toFixed(4)}  (${score.count} questions, ${score.scorer}/${score.lang})`,
    );
  },
});

const ifeval = defineCommand({
  path: ["eval", "ifeval"],
  description: "IFEval strict and loose accuracy (google-research instruction_following_eval rules)",
  examples: [
    "cftkit eval ifeval --input data/ifeval/input_data.jsonl --responses responses.jsonl --out ifeval/",
  ],
  options: {
    input: pathParam("--input <input_data.jsonl>", "prompts with instruction_id_list and kwargs", "input"),
    responses: pathParam("--responses <responses.jsonl>", "{prompt, response} per line", "input"),
    out: param(
      "--out <dir>",
      "also write eval_results_strict.jsonl and eval_results_loose.jsonl (official schema)",
      text().optional(),
      {
        path: "output-folder",
        writes: (dir) => [join(dir, "eval_results_strict.jsonl"), join(dir, "eval_results_loose.jsonl")],
      },
    ),
  },
  async run(options) {
    const { scoreIfevalFiles } = await evaluationApi();
    const { result, files } = await scoreIfevalFiles(options.input, options.responses, options.out);
    if (files) log(options, `wrote ${files.strict} and ${files.loose}`);
    const rows = Object.entries(result.metrics).map(([k, v]) => [k, v.toFixed(6)]);
    printResult(options, result.metrics, () => formatTable(["metric", "value"], rows));
  },
});

const rouge = defineCommand({
  path: ["eval", "rouge"],
  description:
    "ROUGE-1/2/L precision, recall, F1 (0-1, mean over pairs): rouge_score rules for en, XL-Sum-style tokens otherwise",
  examples: ["cftkit eval rouge --predictions summaries.txt --references references.txt --lang en --stem"],
  options: {
    predictions: pathParam(
      "--predictions <file>",
      "one prediction per line (.txt) or per JSONL row",
      "input",
    ),
    references: pathParam(
      "--references <file>",
      "one reference per line, paired with the predictions",
      "input",
    ),
    lang: param(
      "--lang <code>",
      "en: Google rouge_score tokenizer; anything else: multilingual (XL-Sum-style) tokenizer",
      text().default("en"),
    ),
    stem: param("--stem", "Porter stemmer (NLTK extensions mode) on tokens longer than 3 characters", flag()),
  },
  async run(options) {
    const { rougeFiles } = await evaluationApi();
    const result = await rougeFiles(options.predictions, options.references, options);
    const rows = (["rouge1", "rouge2", "rougeL"] as const).map((k) => {
      const { precision, recall, fmeasure } = result[k];
      return [k, precision.toFixed(5), recall.toFixed(5), fmeasure.toFixed(5)];
    });
    printResult(options, result, () => formatTable(["type", "precision", "recall", "f1"], rows));
  },
});

/** `cftkit eval qa|ifeval|rouge`: English and multilingual ability scores from files. */
export const evalCommands = [qa, ifeval, rouge];
