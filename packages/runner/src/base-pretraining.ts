import { existsSync } from "node:fs";
import { cp, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import type { ModelPreset, TrainMetrics, TrainingExample } from "@cftkit/lm";

/**
 * Pre-training of the quickstart's byte-level base (test-fixtures/base-model is this recipe's `tiny` run;
 * `tools/pretrain-base.ts` makes it, and the quickstart's `full` profile runs it for its bigger preset).
 * Public text the repository carries: XQuAD paragraphs of 12 languages from 32 of 48 articles and Alpaca
 * rows 0–2499. Every third XQuAD article and Alpaca rows 2500–4999 stay unseen for evaluation.
 */
export const PRETRAIN_RECIPE = {
  seed: 20241021,
  sequenceLength: 512,
  microBatchSize: 8,
  globalBatchSize: 16,
  learningRate: 3e-3,
  warmupSteps: 12,
  lrScheduler: "cosine" as const,
  weightDecay: 0.01,
  maxGradNorm: 1,
  alpacaRows: 2500,
};

export const PRETRAIN_LANGUAGES = ["en", "ar", "de", "el", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"];

/** The articles reserved for evaluation: every third XQuAD article (titles are shared by all languages). */
export function reservedArticles(titles: readonly string[]): string[] {
  return titles.filter((_, i) => i % 3 === 0);
}

/** The XQuAD articles every base of the recipe leaves unseen (from the English titles, which all languages share). */
export async function unseenArticles(dataDir: string): Promise<string[]> {
  const squad = JSON.parse(await readFile(join(dataDir, "xquad", "xquad.en.json"), "utf8")) as Squad;
  return reservedArticles(squad.data.map((a) => a.title));
}

interface Squad {
  data: { title: string; paragraphs: { context: string }[] }[];
}

export interface PretrainingCorpus {
  examples: TrainingExample[];
  /** The XQuAD article titles never trained on. */
  reserved: string[];
  /** Examples per source (`xquad_<lang>_paragraphs`, `alpaca_rows`). */
  counts: Record<string, number>;
}

/** XQuAD paragraphs as chat turns (user: the article title; assistant: the paragraph), held-out articles skipped. */
async function xquadParagraphs(dataDir: string, corpus: PretrainingCorpus): Promise<void> {
  for (const lang of PRETRAIN_LANGUAGES) {
    const squad = JSON.parse(await readFile(join(dataDir, "xquad", `xquad.${lang}.json`), "utf8")) as Squad;
    if (lang === "en") corpus.reserved = reservedArticles(squad.data.map((a) => a.title));
    const held = new Set(corpus.reserved);
    let n = 0;
    for (const article of squad.data) {
      if (held.has(article.title)) continue;
      for (const [i, p] of article.paragraphs.entries()) {
        corpus.examples.push({
          id: `xquad-${lang}-${article.title}-${i}`,
          messages: [
            { role: "user", content: article.title.replaceAll("_", " ") },
            { role: "assistant", content: p.context },
          ],
        });
        n++;
      }
    }
    corpus.counts[`xquad_${lang}_paragraphs`] = n;
  }
}

/** Alpaca rows 0 … alpacaRows−1 with a response, as instruction → response. */
async function alpacaRows(dataDir: string, corpus: PretrainingCorpus): Promise<void> {
  const rows = JSON.parse(await readFile(join(dataDir, "alpaca", "alpaca_5000.json"), "utf8")) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  let n = 0;
  for (const [i, r] of rows.slice(0, PRETRAIN_RECIPE.alpacaRows).entries()) {
    if (r.output.trim() === "") continue;
    corpus.examples.push({
      id: `alpaca-${i}`,
      messages: [
        { role: "user", content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
        { role: "assistant", content: r.output },
      ],
    });
    n++;
  }
  corpus.counts.alpaca_rows = n;
}

/** The pre-training corpus, in its fixed order (the trainer shuffles it with the recipe's seed). */
export async function pretrainingCorpus(dataDir: string): Promise<PretrainingCorpus> {
  const corpus: PretrainingCorpus = { examples: [], reserved: [], counts: {} };
  await xquadParagraphs(dataDir, corpus);
  await alpacaRows(dataDir, corpus);
  return corpus;
}

export interface PretrainBaseOptions {
  dataDir: string;
  preset: ModelPreset;
  steps: number;
  /** Where the finished base goes (model folder + heldout-articles.json + pretraining.json). */
  outDir: string;
  /** Checkpoints while training (resumed when the run is interrupted). */
  workDir: string;
  onMetrics?: (m: TrainMetrics) => void;
}

export interface PretrainedBase {
  dir: string;
  preset: ModelPreset;
  steps: number;
  parameters: number;
  /** Tokens trained by the call that finished the base. */
  tokens: number;
  initialEvalLoss?: number;
  evalLoss?: number;
  /** The steps trained by this call (empty when a finished base was reused). */
  metrics: TrainMetrics[];
  reserved: string[];
  counts: Record<string, number>;
}

const FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "model.safetensors",
];

/**
 * Pre-train a byte-level base with the recipe: resumable (checkpoints every 100 steps in `workDir`), and
 * reused when `outDir` already holds a finished base of the same preset and step count.
 */
export async function pretrainBase(options: PretrainBaseOptions): Promise<PretrainedBase> {
  const record = join(options.outDir, "pretraining.json");
  if (existsSync(record)) {
    const done = JSON.parse(await readFile(record, "utf8")) as Omit<PretrainedBase, "dir" | "metrics">;
    if (done.preset === options.preset && done.steps === options.steps)
      return { ...done, metrics: [], dir: options.outDir };
  }
  const { CausalLM, trainCausalLM } = await import("@cftkit/lm");
  const { examples, reserved, counts } = await pretrainingCorpus(options.dataDir);
  // A fixed validation slice: every 50th example (still trained on; it only tracks the curve).
  const validation = examples.filter((_, i) => i % 50 === 0).slice(0, 32);
  const initDir = join(options.workDir, "init");
  if (!existsSync(join(initDir, "model.safetensors"))) {
    const init = await CausalLM.init({ preset: options.preset, seed: PRETRAIN_RECIPE.seed });
    await init.save(initDir);
    init.dispose();
  }
  const metrics: TrainMetrics[] = [];
  const { alpacaRows: _rows, ...recipe } = PRETRAIN_RECIPE;
  const result = await trainCausalLM({
    modelDir: initDir,
    outDir: join(options.workDir, "train"),
    train: examples,
    validation,
    ...recipe,
    maxSteps: options.steps,
    evalEverySteps: 100,
    evalOnStart: true,
    saveEverySteps: 100,
    saveTotalLimit: 1,
    resume: true,
    saveDtype: "BF16",
    onMetrics: (m) => {
      metrics.push(m);
      options.onMetrics?.(m);
    },
  });
  await mkdir(options.outDir, { recursive: true });
  for (const f of FILES)
    if (existsSync(join(result.modelDir, f))) await cp(join(result.modelDir, f), join(options.outDir, f));
  await writeFileAtomic(
    join(options.outDir, "heldout-articles.json"),
    `${JSON.stringify(reserved, null, 2)}\n`,
  );
  const base: Omit<PretrainedBase, "dir" | "metrics"> = {
    preset: options.preset,
    steps: options.steps,
    parameters: result.totalParameters,
    tokens: metrics.reduce((s, m) => s + m.tokens, 0),
    ...(result.initialEvalLoss !== undefined ? { initialEvalLoss: result.initialEvalLoss } : {}),
    ...(result.evalLoss !== undefined ? { evalLoss: result.evalLoss } : {}),
    reserved,
    counts,
  };
  await writeFileAtomic(record, `${JSON.stringify(base, null, 2)}\n`);
  return { ...base, metrics, dir: options.outDir };
}
