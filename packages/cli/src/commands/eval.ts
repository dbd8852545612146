import { log, printResult } from "../cli-output.js";
import { ifevalFilesSchema, qaFilesSchema, rougeFilesSchema } from "@cftkit/evaluation/eval-run-options";
import { defineCommand } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

// The scorers load inside the actions so `cftkit --help` stays fast.
const evaluationApi = () => import("@cftkit/evaluation");

const qa = defineCommand({
  path: ["eval", "qa"],
  description: "SQuAD v1.1 / XQuAD or MLQA exact match and F1 (official rules, 0-100)",
  examples: ["cftkit eval qa --dataset data/xquad/xquad.de.json --predictions preds.json"],
  options: optionsFrom(qaFilesSchema, {
    dataset: "squad.json",
    predictions: "preds.json",
    scorer: "name",
    lang: "code",
  }),
  async run(options) {
    const { describeQaFileScore, scoreQaFiles } = await evaluationApi();
    const score = await scoreQaFiles(options.dataset, options.predictions, options);
    if (score.answered < score.count)
      log(options, `${score.count - score.answered} unanswered question(s) score 0`);
    printResult(options, score, () => describeQaFileScore(score));
  },
});

const ifeval = defineCommand({
  path: ["eval", "ifeval"],
  description: "IFEval strict and loose accuracy (google-research instruction_following_eval rules)",
  examples: [
    "cftkit eval ifeval --input data/ifeval/input_data.jsonl --responses responses.jsonl --out ifeval/",
  ],
  options: optionsFrom(ifevalFilesSchema, {
    input: "input_data.jsonl",
    responses: "responses.jsonl",
    out: "dir",
  }),
  async run(options) {
    const { describeIfevalMetrics, scoreIfevalFiles } = await evaluationApi();
    const { result, files } = await scoreIfevalFiles(options.input, options.responses, options.out);
    if (files) log(options, `wrote ${files.strict} and ${files.loose}`);
    printResult(options, result.metrics, () => describeIfevalMetrics(result.metrics));
  },
});

const rouge = defineCommand({
  path: ["eval", "rouge"],
  description:
    "ROUGE-1/2/L precision, recall, F1 (0-1, mean over pairs): rouge_score rules for en, XL-Sum-style tokens otherwise",
  examples: ["cftkit eval rouge --predictions summaries.txt --references references.txt --lang en --stem"],
  options: optionsFrom(rougeFilesSchema, { predictions: "file", references: "file", lang: "code" }),
  async run(options) {
    const { describeRougeScores, rougeFiles } = await evaluationApi();
    const result = await rougeFiles(options.predictions, options.references, options);
    printResult(options, result, () => describeRougeScores(result));
  },
});

/** `cftkit eval qa|ifeval|rouge`: English and multilingual ability scores from files. */
export const evalCommands = [qa, ifeval, rouge];
