import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError } from "@cftkit/core";
import { PRETRAIN_RECIPE } from "./base-pretraining.js";

/** Where the bundled public data may be: data/ at the repository root (or beside the installed package), or in the working folder. */
const dataDirCandidates = () => [
  fileURLToPath(new URL("../../../data/", import.meta.url)), // packages/runner/src/ or packages/runner/dist/
  resolve("data"),
];

/** The bundled public data (data/ at the repository root, or beside the installed package). */
export function bundledDataDir(): string {
  const candidates = dataDirCandidates();
  const found = candidates.find((c) => existsSync(join(c, "xquad", "xquad.en.json")));
  if (!found)
    throw new CftkitError(
      "QUICKSTART_DATA_MISSING",
      `the bundled data (data/xquad, data/alpaca, data/mt_bench) was not found; looked in ${candidates.join(", ")}`,
    );
  return found;
}

/** The bundled MT-Bench questions (data/mt_bench/question.jsonl): the default prompts of hidden states. */
export function bundledMtBenchQuestions(): string {
  const found = dataDirCandidates()
    .map((dir) => join(dir, "mt_bench", "question.jsonl"))
    .find((file) => existsSync(file));
  if (!found)
    throw new CftkitError(
      "RUN_NO_PROMPTS",
      "no --prompts given and data/mt_bench/question.jsonl was not found",
    );
  return found;
}

/**
 * The pre-trained byte-level base the quickstart starts from (test-fixtures/base-model, made by
 * tools/pretrain-base.ts), with the XQuAD articles and Alpaca rows it never saw; null when not bundled.
 */
export function bundledBaseModel(): {
  dir: string;
  heldoutArticles: string[];
  firstHeldoutAlpacaRow: number;
} | null {
  const candidates = [
    fileURLToPath(new URL("../../../test-fixtures/base-model/", import.meta.url)), // packages/runner/src or dist
    resolve("test-fixtures", "base-model"),
  ];
  const dir = candidates.find((c) => existsSync(join(c, "model.safetensors")));
  if (!dir) return null;
  const heldoutArticles = JSON.parse(readFileSync(join(dir, "heldout-articles.json"), "utf8")) as string[];
  return { dir, heldoutArticles, firstHeldoutAlpacaRow: PRETRAIN_RECIPE.alpacaRows };
}
