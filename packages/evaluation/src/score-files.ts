/**
 * The standalone scorers on files (`cftkit eval qa`, `eval ifeval`, `eval rouge`): read the inputs, score
 * with @cftkit/metrics' official-rule implementations, and return the documents the CLI prints.
 */
import { CftkitError } from "@cftkit/core";
import type { z } from "zod";
import type { qaFilesSchema, rougeFilesSchema } from "./eval-run-options.js";
import {
  evaluateIfeval,
  type IfevalResult,
  readIfevalInputs,
  readIfevalResponses,
  rougeCorpus,
  type SquadDataset,
  scoreMlqa,
  scoreSquad,
  writeIfevalOutputs,
} from "@cftkit/metrics";
import { readJsonFile, readPredictions, readTexts } from "./score-input-files.js";

export interface QaFileScore {
  exact_match: number;
  f1: number;
  count: number;
  answered: number;
  scorer: "squad" | "mlqa";
  lang: string;
}

/** SQuAD v1.1 / XQuAD (`squad`) or MLQA (`mlqa`, per answer language) EM and F1 of a predictions file. */
export async function scoreQaFiles(
  datasetPath: string,
  predictionsPath: string,
  options: Pick<z.output<typeof qaFilesSchema>, "scorer" | "lang">,
): Promise<QaFileScore> {
  const dataset = (await readJsonFile(datasetPath, "dataset")) as { data?: unknown };
  if (!dataset || !Array.isArray(dataset.data))
    throw new CftkitError("EVAL_BAD_DATASET", `${datasetPath}: expected SQuAD v1.1 JSON with a "data" array`);
  const predictions = await readPredictions(predictionsPath);
  const squad = dataset as SquadDataset;
  const score =
    options.scorer === "mlqa" ? scoreMlqa(squad, predictions, options.lang) : scoreSquad(squad, predictions);
  const { exact_match, f1, count, answered } = score;
  return { exact_match, f1, count, answered, scorer: options.scorer, lang: options.lang };
}

/** IFEval strict and loose accuracy of a responses file; with `out`, also the official per-prompt files. */
export async function scoreIfevalFiles(
  inputPath: string,
  responsesPath: string,
  out?: string,
): Promise<{ result: IfevalResult; files?: { strict: string; loose: string } }> {
  const result = evaluateIfeval(await readIfevalInputs(inputPath), await readIfevalResponses(responsesPath));
  return out ? { result, files: await writeIfevalOutputs(out, result) } : { result };
}

/** ROUGE-1/2/L of paired prediction and reference files: rouge_score rules for `en`, XL-Sum-style otherwise. */
export async function rougeFiles(
  predictionsPath: string,
  referencesPath: string,
  options: Pick<z.output<typeof rougeFilesSchema>, "lang" | "stem">,
) {
  const predictions = await readTexts(predictionsPath, "predictions");
  const references = await readTexts(referencesPath, "references");
  const mode = options.lang === "en" ? ("en" as const) : ("multilingual" as const);
  const scores = rougeCorpus(references, predictions, { stem: options.stem, mode });
  return { ...scores, lang: options.lang, mode, stem: options.stem };
}
