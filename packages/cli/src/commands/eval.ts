import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import { z } from "zod";
import { formatTable, log, printHuman, printJson } from "../cli-output.js";
import { defineCommand, flag, param, text, pathParam } from "../define-command.js";

// The scorers load inside the actions so `cftkit --help` stays fast.
const metricsApi = () => import("@cftkit/metrics");
const evaluationApi = () => import("@cftkit/evaluation");

const qa = defineCommand({
  path: ["eval", "qa"],
  description: "SQuAD v1.1 / XQuAD or MLQA exact match and F1 (official rules, 0-100)",
  examples: ["cftkit eval qa --dataset data/xquad/xquad.de.json --predictions preds.json"],
  options: {
    dataset: pathParam("--dataset <squad.json>", "SQuAD v1.1-layout data set (XQuAD, MLQA, SQuAD)", "input"),
    predictions: param(
      "--predictions <preds.json>",
      '{"<id>": "<answer>"} (or JSONL of {id, prediction})',
      text(),
      {
        path: "input",
      },
    ),
    scorer: param(
      "--scorer <name>",
      "squad (evaluate-v1.1.py) | mlqa (mlqa_evaluation_v1.py)",
      z.enum(["squad", "mlqa"]).default("squad"),
    ),
    lang: param("--lang <code>", "answer language (mlqa: en es hi vi de ar zh)", text().default("en")),
  },
  async run(options) {
    const { readJsonFile, readPredictions } = await evaluationApi();
    const { scoreMlqa, scoreSquad } = await metricsApi();
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
    const { evaluateIfeval, readIfevalInputs, readIfevalResponses, writeIfevalOutputs } = await metricsApi();
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
    const { readTexts } = await evaluationApi();
    const { rougeCorpus } = await metricsApi();
    const predictions = await readTexts(options.predictions, "predictions");
    const references = await readTexts(options.references, "references");
    const mode = options.lang === "en" ? "en" : "multilingual";
    const scores = rougeCorpus(references, predictions, { stem: options.stem, mode });
    const result = { ...scores, lang: options.lang, mode, stem: options.stem };
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
  },
});

/** `cftkit eval qa|ifeval|rouge`: English and multilingual ability scores from files. */
export const evalCommands = [qa, ifeval, rouge];
