import { join, relative, resolve } from "node:path";
import { type ProgressReporter, writeFileAtomic } from "@cftkit/core";
import { stringify as toYaml } from "yaml";
import { bundledDataDir } from "./bundled-data.js";
import { ensureQuickstartBase, type QuickstartBase, quickstartBase } from "./quickstart-base.js";
import { prepareQuickstartData } from "./quickstart-data.js";
import { QUICKSTART_PROFILES, type QuickstartProfile, type QuickstartSizes } from "./quickstart-profile.js";
import { readRunExperiment } from "./experiment-schema.js";
import { type RunOutcome, runExperiment } from "./run-experiment.js";

export interface QuickstartOptions {
  out: string;
  profile: QuickstartProfile;
  seed: number;
  json?: boolean;
  quiet?: boolean;
  progress: ProgressReporter;
}

/**
 * `cftkit quickstart`: a small real two-phase CFT experiment on the embedded defaults, offline, from the
 * bundled public data. It writes the data and an ordinary experiment file into the run folder and runs
 * it with the same pipeline as `cftkit run`, so the run can be repeated or edited by hand.
 */
export async function quickstart(
  options: QuickstartOptions,
): Promise<RunOutcome & { experimentPath: string }> {
  const sizes = QUICKSTART_PROFILES[options.profile];
  printBudget(options, sizes);
  const out = resolve(options.out);
  const base = await quickstartBase(out, sizes);
  await ensureQuickstartBase(out, base, options.progress);
  const experimentPath = await writeQuickstartExperiment(out, sizes, options.profile, options.seed, {
    base,
  });
  const outcome = await runExperiment({
    experiment: await readRunExperiment(experimentPath),
    experimentPath,
    json: options.json,
    quiet: options.quiet,
    progress: options.progress,
  });
  return { ...outcome, experimentPath };
}

/** The profile's budget line on stderr before the run starts (a JSON line with --json; nothing with --quiet). */
export function budgetText(profile: QuickstartProfile, sizes: QuickstartSizes, seed: number): string {
  const seeds = quickstartSeeds(sizes, seed).join(", ");
  const budget = sizes.budgetMinutes
    ? `budget ≤ ${sizes.budgetMinutes} min on 2 cores`
    : "no time budget (a longer run)";
  return `quickstart profile ${profile}: ${sizes.seeds} seeds (${seeds}), ${budget}`;
}

function printBudget(options: QuickstartOptions, sizes: QuickstartSizes): void {
  if (options.quiet) return;
  const text = budgetText(options.profile, sizes, options.seed);
  process.stderr.write(
    options.json
      ? `${JSON.stringify({ event: "budget", profile: options.profile, seeds: quickstartSeeds(sizes, options.seed), budget_minutes: sizes.budgetMinutes ?? null })}\n`
      : `${text}\n`,
  );
}

/** The seeds a profile trains with: `--seed` and the next ones. */
export function quickstartSeeds(sizes: QuickstartSizes, seed: number): number[] {
  return Array.from({ length: sizes.seeds }, (_, i) => seed + i);
}

/** The quickstart's strategies for the dissimilar pair (the similar and mixed pairs show the baseline only). */
export const QUICKSTART_STRATEGIES = ["baseline", "ER_10", "GR_5", "LF_H2", "Spectrum", "LoRA"] as const;

/**
 * Prepare the quickstart's data in `out` and write its experiment file there (`experiment.yaml`, which
 * `cftkit run` runs again as it is). Returns the file's path.
 */
export async function writeQuickstartExperiment(
  out: string,
  sizes: QuickstartSizes,
  profile: string,
  seed: number,
  choices: { strategies?: readonly string[]; base?: QuickstartBase } = {},
): Promise<string> {
  const strategies = choices.strategies ?? QUICKSTART_STRATEGIES;
  const base = choices.base ?? (await quickstartBase(out, sizes));
  const pretrained = base.kind === "pretrained" ? base : null;
  const unseen = pretrained
    ? { articles: pretrained.heldoutArticles, firstAlpacaRow: pretrained.firstHeldoutAlpacaRow }
    : undefined;
  const data = await prepareQuickstartData(bundledDataDir(), out, sizes, seed, unseen);
  const modelName = pretrained
    ? `pre-trained byte-level ${sizes.preset} base`
    : `${sizes.preset} embedded model`;
  const options = { profile, seed };
  const notes = [
    pretrained
      ? `A small Llama-architecture model (preset ${sizes.preset}, byte-level tokenizer) pre-trained on XQuAD paragraphs of 12 languages and Alpaca (${pretrained.origin === "bundled" ? "test-fixtures/base-model" : `${pretrained.pretrainSteps} steps of the same recipe in this run folder, base-${sizes.preset}/`}; the evaluation articles and Alpaca rows were held out), fine-tuned on CPU: absolute scores are small-model scores, not comparable with the paper's 7B numbers — compare the deltas between phases and strategies.`
      : `A ${sizes.preset} Llama-architecture model (byte-level tokenizer) initialised from seed ${options.seed} and trained on CPU: absolute scores are tiny-model scores, not comparable with the paper's 7B numbers — compare the deltas between phases and strategies.`,
    `Phase 2 = XQuAD QA instructions in ar de el es hi ro ru th tr vi zh (${data.counts.phase2} records); English counterpart = XQuAD-en. Each context is cut to the sentence holding the answer so the model trains in minutes.`,
    `Evaluation uses ${data.evalArticles.length} whole held-out XQuAD articles (${data.counts.heldout} held-out records, ${data.counts.qa} QA items), never trained on; English ability also counts ${data.counts.heldout_alpaca} held-out Alpaca instructions (general instruction following, like the paper's IFEval/AlpacaEval): the likelihood of their reference responses, and the model's own greedy answers scored by ROUGE-L against them.`,
    `Freezing selects ${sizes.lfLayers} layer(s) per q/k/v type for LF_H2 (the paper: 10 of 32) and Spectrum's top 50% per type, frozen (the paper's LF use).`,
  ];
  const chat = (path: string) => ({ path, type: "chat_template" });
  const experiment = {
    name: "quickstart",
    title: `cftkit quickstart — two-phase CFT for multilingual adaptation (${modelName}, profile ${options.profile})`,
    seed: options.seed,
    // Data and evaluation items are drawn once with `seed`; every model is trained once per seed.
    seeds: quickstartSeeds(sizes, options.seed),
    backend: "embedded",
    output_dir: ".",
    // The run's own base is named relative to the run folder, so the folder stays portable.
    base_model: pretrained
      ? pretrained.origin === "run"
        ? relative(out, pretrained.dir)
        : pretrained.dir
      : { init: sizes.preset },
    strategies: [...strategies],
    training: {
      learning_rate: sizes.learningRate,
      num_epochs: 1,
      max_steps: sizes.phase2Steps,
      global_batch_size: sizes.microBatch ?? 8,
      max_micro_batch_size: sizes.microBatch ?? 8,
      warmup_steps: Math.max(1, Math.round(sizes.phase2Steps / 10)),
      lr_scheduler: "cosine",
      weight_decay: 0,
      sequence_len: sizes.sequenceLength,
      val_set_size: 0,
      save_strategy: "steps",
      save_steps: Math.max(5, Math.round(sizes.phase2Steps / 4)),
    },
    phase1_training: {
      max_steps: sizes.phase1Steps,
      warmup_steps: Math.max(1, Math.round(sizes.phase1Steps / 10)),
      save_steps: Math.max(5, Math.round(sizes.phase1Steps / 4)),
    },
    lora: { r: 8, alpha: 16, dropout: 0 },
    settings: sizes.pairs.map((pair) => ({
      name: pair,
      description: `${data.phase1[pair].description} → XQuAD QA in 11 languages`,
      // The similar and mixed pairs show how far the baseline forgets; the mitigations matter for the dissimilar one.
      strategies: pair === "dissimilar" ? [...strategies] : strategies.filter((s) => s === "baseline"),
      phase1: { datasets: [chat(data.phase1[pair].chat)] },
      phase2: { datasets: [chat(data.phase2Chat)] },
    })),
    replay_sources: Object.fromEntries(
      sizes.pairs.map((pair) => [pair, { phase2: data.phase2Records, english: data.english }]),
    ),
    evaluation: {
      heldout: [
        { path: data.heldout, task: "xquad" },
        { path: data.heldoutAlpaca, task: "alpaca" },
      ],
      // Free answers to the held-out Alpaca instructions: EA's generative measure beside QA F1.
      responses: [{ path: data.heldoutAlpaca, task: "alpaca" }],
      responses_max_new_tokens: sizes.responseMaxNewTokens ?? 48,
      qa: [data.qa],
      english_languages: ["en"],
      qa_max_new_tokens: sizes.qaMaxNewTokens ?? 16,
      batch_size: 16,
    },
    analysis: {
      des: { encoder: "lm", samples: sizes.desSamples },
      drift: { prompts: data.driftPrompts, max_prompts: sizes.driftPrompts },
      projection: "tsne",
      lf_layers: sizes.lfLayers,
      spectrum_top_percent: 50,
      gr_max_new_tokens: sizes.grMaxNewTokens,
      // A tiny model's answers are short and not reliably "English" to a detector: keep every non-empty one.
      gr_filters: { language: null, truncated: false },
    },
    // Kept in the file so `cftkit run <this file>` writes the same report header and notes.
    report: { profile: options.profile, notes },
  };
  const experimentPath = join(out, "experiment.yaml");
  await writeFileAtomic(
    experimentPath,
    `# Written by \`cftkit quickstart --profile ${options.profile}\`; run it again with \`cftkit run ${experimentPath}\`.\n` +
      `# Pairs (Phase 1 → XQuAD in 11 languages): ${sizes.pairs.map((p) => `${p} = ${data.phase1[p].description}`).join("; ")}.\n` +
      `# Held-out XQuAD articles (never trained on): ${data.evalArticles.join(", ")}.\n` +
      toYaml(experiment),
  );
  return experimentPath;
}
