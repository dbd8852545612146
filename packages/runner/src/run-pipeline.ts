import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import {
  CftkitError,
  type ProgressReporter,
  readJsonLines,
  sha256File,
  stableHash,
  writeFileAtomic,
  writeJsonAtomic,
} from "@cftkit/core";
import type { HeldoutExample, QaItem } from "@cftkit/evaluation";
import type { ActivationLayer, LayerDrift } from "@cftkit/similarity";
import {
  compileExperiment,
  type ExperimentStrategy,
  embeddedBaseModelDir,
  type TrainingPlan,
} from "@cftkit/trainer";
import { StepCache } from "../pipeline/step-cache.js";
import type {
  AbilityScores,
  ExperimentResults,
  PhasePairResult,
  StrategyResult,
  TrainingSummary,
} from "../report/experiment-results.js";
import { PipelineLog } from "./pipeline-log.js";
import { bundledDataDir } from "./bundled-data.js";
import type { RunExperiment } from "./run-experiment-schema.js";

export const PIPELINE_STEPS = [
  "des",
  "phase1",
  "selections",
  "replay",
  "phase2",
  "evaluate",
  "analysis",
  "report",
] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export interface RunPipelineOptions {
  experiment: RunExperiment;
  /** The experiment file; relative paths in it resolve against its folder. */
  experimentPath: string;
  /** Steps to execute (others must already be done, or are skipped when nothing needs them). */
  only?: PipelineStep[];
  from?: PipelineStep;
  json?: boolean;
  quiet?: boolean;
  progress: ProgressReporter;
  /** Profile name recorded in the results. */
  profile?: string;
  /** Extra lines for the report's notes. */
  notes?: string[];
}

export interface RunPipelineOutcome {
  outDir: string;
  reportDir: string;
  results: ExperimentResults;
}

interface ModelRef {
  dir: string;
  /** Key of the step that produced it, so downstream cache keys change when the model does. */
  key: string;
}

/** Should this step run in this invocation? */
function selected(step: PipelineStep, options: RunPipelineOptions): boolean {
  if (options.only) return options.only.includes(step);
  if (options.from) return PIPELINE_STEPS.indexOf(step) >= PIPELINE_STEPS.indexOf(options.from);
  return true;
}

function trainingSummary(
  steps: number,
  finalLoss: number,
  seconds: number,
  curve: { step: number; loss: number }[],
): TrainingSummary {
  return { steps, final_loss: finalLoss, seconds, curve };
}

async function readCurve(metricsPath: string): Promise<{ step: number; loss: number }[]> {
  const curve: { step: number; loss: number }[] = [];
  if (!existsSync(metricsPath)) return curve;
  for await (const line of readJsonLines(metricsPath)) {
    if (!line.ok) continue;
    const v = line.value as { step?: number; loss?: number };
    if (typeof v.step === "number" && typeof v.loss === "number") curve.push({ step: v.step, loss: v.loss });
  }
  return curve;
}

async function readJsonl<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  for await (const line of readJsonLines(path)) {
    if (!line.ok) throw new CftkitError("RUN_BAD_DATA", `${path}:${line.lineNumber}: ${line.reason}`);
    rows.push(line.value as T);
  }
  return rows;
}

/** Drift prompts: MT-Bench `turns[0]`, or `text` / `instruction` / `prompt` fields. */
async function readPrompts(path: string, max: number): Promise<string[]> {
  const rows = await readJsonl<{ turns?: string[]; text?: string; instruction?: string; prompt?: string }>(
    path,
  );
  return rows
    .map((r) => r.turns?.[0] ?? r.text ?? r.instruction ?? r.prompt ?? "")
    .filter((t) => t.length > 0)
    .slice(0, max);
}

function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/**
 * The experiment's data flow (DESIGN.md) as cached steps: DES → Phase 1 → freeze selections → replay
 * buffers → Phase-2 runs → evaluation → MPD, drift and projection → report. Every step's outputs live in
 * `<output_dir>/steps/<step>-<hash of its inputs>/`; a re-run reuses finished steps and an interrupted one
 * resumes (training continues from its last checkpoint).
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunPipelineOutcome> {
  const { experiment } = options;
  const baseDir = dirname(resolve(options.experimentPath));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const outDir = abs(experiment.output_dir);
  const reportDir = join(outDir, "report");
  const cache = new StepCache(join(outDir, "steps"));
  const log = new PipelineLog(
    join(outDir, "run.log"),
    Boolean(options.json),
    Boolean(options.quiet),
    options.progress,
  );
  const started = Date.now();
  if (experiment.backend !== "embedded") {
    throw new CftkitError(
      "RUN_BACKEND_NEEDS_GPU",
      "this experiment uses backend: axolotl — run it on a GPU machine with Axolotl installed (`cftkit train plan` writes every config and command), or print them here with `cftkit run <experiment> --dry-run`",
    );
  }
  const strategies = experiment.strategies as ExperimentStrategy[];
  const evalConfig = experiment.evaluation;
  const analysis = experiment.analysis;
  const fileKey = async (p: string) => ({ path: p, sha256: await sha256File(abs(p)) });
  const evalInputs = {
    heldout: await Promise.all(
      evalConfig.heldout.map(async (h) => ({ task: h.task, ...(await fileKey(h.path)) })),
    ),
    qa: await Promise.all(evalConfig.qa.map(fileKey)),
    english: evalConfig.english_languages,
    qa_max_new_tokens: evalConfig.qa_max_new_tokens,
  };
  const heldoutSets = await Promise.all(
    evalConfig.heldout.map(async (h) => ({
      task: h.task,
      examples: await readJsonl<HeldoutExample>(abs(h.path)),
    })),
  );
  // QA rows: {id, language, messages (the prompt turns), answers}.
  const qaItems = (
    await Promise.all(
      evalConfig.qa.map((p) =>
        readJsonl<{ id: string; language: string; messages: QaItem["prompt"]; answers: string[] }>(abs(p)),
      ),
    )
  )
    .flat()
    .map((r): QaItem & { language: string } => ({
      id: r.id,
      language: r.language,
      prompt: r.messages,
      answers: r.answers,
    }));
  const driftPromptsPath = analysis.drift.prompts
    ? abs(analysis.drift.prompts)
    : join(bundledDataDir(), "mt_bench", "question.jsonl");
  const driftPrompts = await readPrompts(driftPromptsPath, analysis.drift.max_prompts);

  /** Run a step through the cache, or reuse it; a step outside --only/--from must be done already. */
  async function step<T>(
    name: string,
    kind: PipelineStep,
    inputs: unknown,
    work: (dir: string) => Promise<T>,
  ): Promise<{ result: T; key: string; dir: string }> {
    const existing = await cache.lookup<T>(name, inputs);
    if (existing) {
      log.event(name, "reused", { seconds: existing.seconds });
      return { result: existing.result, key: existing.key, dir: cache.dirOf(name, inputs) };
    }
    if (!selected(kind, options)) {
      throw new CftkitError(
        "RUN_STEP_NOT_DONE",
        `step ${name} is needed but has not run yet: run without --only/--from, or include ${kind}`,
      );
    }
    log.event(name, "start");
    try {
      const { record, dir } = await cache.run(name, inputs, work);
      log.event(name, "done", { seconds: record.seconds });
      return { result: record.result, key: record.key, dir };
    } catch (error) {
      log.event(name, "failed", { error: (error as Error).message });
      throw error;
    }
  }

  /** Train one plan on the embedded backend (it resumes from its own checkpoints after an interruption). */
  async function train(plan: TrainingPlan) {
    const { runEmbedded } = await import("@cftkit/trainer");
    const t0 = Date.now();
    const run = await runEmbedded(plan, { progress: options.progress });
    return {
      modelDir: run.modelDir,
      steps: run.steps,
      finalLoss: run.finalLoss,
      metricsPath: run.metricsPath,
      seconds: (Date.now() - t0) / 1000,
      trainable: run.trainableParameters,
      total: run.totalParameters,
    };
  }

  const { CausalLM } = await import("@cftkit/lm");
  const { EmbeddedEvalModel, heldoutLikelihood, qaGenerationTask } = await import("@cftkit/evaluation");
  const similarity = await import("@cftkit/similarity");

  /** EA/MA and every task score of one model on the evaluation suite. */
  async function evaluate(label: string, model: ModelRef): Promise<AbilityScores> {
    const { result } = await step(
      `evaluate-${label}`,
      "evaluate",
      { model: model.key, evalInputs },
      async () => {
        const lm = await CausalLM.load(model.dir);
        try {
          const evalModel = new EmbeddedEvalModel(lm, label, evalConfig.batch_size);
          const tasks: Record<string, number> = {};
          // One held-out likelihood task per set and language: `heldout_likelihood/<set>/<lang>`.
          const lossByLanguage: Record<string, number> = {};
          for (const set of heldoutSets) {
            const heldout = await heldoutLikelihood(evalModel, set.examples, { progress: options.progress });
            for (const [lang, g] of Object.entries(heldout.byGroup ?? {})) {
              lossByLanguage[`${set.task}/${lang}`] = g.meanNll;
              tasks[`heldout_likelihood/${set.task}/${lang}`] = Math.exp(-g.meanNll);
            }
          }
          for (const lang of [...new Set(qaItems.map((q) => q.language))].sort()) {
            const items = qaItems.filter((q) => q.language === lang);
            const qa = await qaGenerationTask(evalModel, items, {
              language: lang,
              maxNewTokens: evalConfig.qa_max_new_tokens,
            });
            tasks[`xquad_f1/${lang}`] = qa.f1 / 100;
          }
          // The language is a task name's last part (`…/<lang>`).
          const languageOf = (key: string) => key.split("/").pop()!;
          const isEnglish = (key: string) => evalConfig.english_languages.includes(languageOf(key));
          const english = Object.entries(tasks)
            .filter(([t]) => isEnglish(t))
            .map(([, v]) => v);
          const multilingual = Object.entries(tasks)
            .filter(([t]) => !isEnglish(t))
            .map(([, v]) => v);
          const englishLosses = Object.entries(lossByLanguage)
            .filter(([key]) => isEnglish(key))
            .map(([, v]) => v);
          const otherLosses = Object.entries(lossByLanguage)
            .filter(([key]) => !isEnglish(key))
            .map(([, v]) => v);
          const scores: AbilityScores = {
            ea: mean(english),
            ma: mean(multilingual),
            tasks,
            english_loss: mean(englishLosses),
            multilingual_loss: mean(otherLosses),
            loss_by_language: lossByLanguage,
          };
          return scores;
        } finally {
          lm.dispose();
        }
      },
    );
    return result;
  }

  /** Mean activations per layer of every drift prompt (DESIGN.md activation file), written into the step folder. */
  async function hiddenStates(
    label: string,
    model: ModelRef,
  ): Promise<{ file: string; layers: number; samples: number; hidden: number }> {
    const { result, dir } = await step(
      `hidden-${label}`,
      "analysis",
      { model: model.key, prompts: await fileKey(driftPromptsPath), max: analysis.drift.max_prompts },
      async (dir) => {
        const lm = await CausalLM.load(model.dir);
        try {
          const perPrompt = await lm.meanHiddenStates(driftPrompts, {
            progress: options.progress,
            maxTokens: 256,
          });
          const layers = perPrompt[0]!.length;
          const hidden = lm.config.hiddenSize;
          const { writeSafetensors } = await import("@cftkit/safetensors");
          await writeSafetensors(
            join(dir, "acts.safetensors"),
            Array.from({ length: layers }, (_, layer) => {
              const data = new Float32Array(perPrompt.length * hidden);
              for (const [i, p] of perPrompt.entries()) data.set(p[layer]!, i * hidden);
              return {
                name: `layer.${layer}`,
                dtype: "F32" as const,
                shape: [perPrompt.length, hidden],
                data,
              };
            }),
            { model: model.dir, prompts: driftPromptsPath, pooling: "mean" },
          );
          return { file: "acts.safetensors", layers, samples: perPrompt.length, hidden };
        } finally {
          lm.dispose();
        }
      },
    );
    return { ...result, file: join(dir, result.file) };
  }

  const pairs: PhasePairResult[] = [];
  const strategyResults: StrategyResult[] = [];
  const charts: { drift: Record<string, string>; training: Record<string, string> } = {
    drift: {},
    training: {},
  };
  const projectionRows: { model: string; layer: number; vector: number[] }[] = [];
  let modelInfo: ExperimentResults["model"] = { preset: experiment.base_model, parameters: 0, config: {} };

  for (const setting of experiment.settings) {
    const settingName = setting.name;
    // Compile once without selections/replay to get Phase 1 and the base model folder.
    const first = await compileExperiment(
      { ...experiment, settings: [{ ...setting, selections: {}, replay: {} }] } as typeof experiment,
      {
        baseDir,
        experimentPath: options.experimentPath,
      },
    );
    const phase1Plan = first.plans.find((p) => p.phase === 1);
    const baseModelDir = phase1Plan ? embeddedBaseModelDir(phase1Plan) : abs(experiment.base_model);
    const init = /^init:(tiny|small)$/.exec(experiment.base_model);
    if (init && !existsSync(join(baseModelDir, "config.json"))) {
      const fresh = await CausalLM.init({ preset: init[1] as "tiny" | "small", seed: experiment.seed });
      await fresh.save(baseModelDir);
      fresh.dispose();
    }
    const base: ModelRef = {
      dir: baseModelDir,
      key: stableHash({ base: experiment.base_model, seed: experiment.seed }),
    };
    {
      const lm = await CausalLM.load(baseModelDir);
      const { parameterCount } = await import("@cftkit/lm");
      modelInfo = {
        preset: experiment.base_model.replace(/^init:/, ""),
        parameters: parameterCount(lm.config),
        config: { ...(lm.config as unknown as Record<string, unknown>) },
      };
      lm.dispose();
    }

    // DES between the two phases' data (before any training).
    const phase1Paths = setting.phase1.datasets?.map((d) => abs(d.path)) ?? [];
    const phase2Paths = setting.phase2.datasets.map((d) => abs(d.path));
    const sources = experiment.replay_sources[settingName];
    const desResult = phase1Paths.length
      ? (
          await step(
            `des-${settingName}`,
            "des",
            {
              base: base.key,
              phase1: await Promise.all(phase1Paths.map(fileKey)),
              phase2: await Promise.all((sources ? [abs(sources.phase2)] : phase2Paths).map(fileKey)),
              des: analysis.des,
              seed: experiment.seed,
            },
            async () => {
              const { loadDataset } = await import("@cftkit/datasets");
              const a = (await Promise.all(phase1Paths.map((p) => loadDataset(p)))).flat();
              const b = (
                await Promise.all((sources ? [abs(sources.phase2)] : phase2Paths).map((p) => loadDataset(p)))
              ).flat();
              const encoder =
                analysis.des.encoder === "lm"
                  ? similarity.CausalLmEncoder.fromModel(
                      await CausalLM.load(baseModelDir),
                      `base:${experiment.base_model}`,
                    )
                  : await similarity.SentenceTransformerEncoder.load({
                      model: analysis.des.model,
                      offline: true,
                    });
              try {
                return await similarity.des(a, b, {
                  encoder,
                  samples: analysis.des.samples,
                  seed: experiment.seed,
                  progress: options.progress,
                });
              } finally {
                await encoder.dispose?.();
              }
            },
          )
        ).result
      : null;

    // Phase 1 (or the off-the-shelf instruct model).
    let phase1: ModelRef;
    let phase1Training: TrainingSummary = trainingSummary(0, Number.NaN, 0, []);
    if (phase1Plan) {
      const { result, key } = await step(
        `phase1-${settingName}`,
        "phase1",
        {
          plan: planKey(phase1Plan),
          data: await Promise.all(phase1Plan.datasets.map((d) => fileKey(d.path))),
        },
        () => train(phase1Plan),
      );
      phase1 = { dir: result.modelDir, key };
      phase1Training = trainingSummary(
        result.steps,
        result.finalLoss,
        result.seconds,
        await readCurve(result.metricsPath),
      );
    } else {
      phase1 = { dir: abs(setting.phase1.model!), key: stableHash({ instruct: setting.phase1.model }) };
    }

    // Freeze selections from the Phase-1 model.
    const selections: Record<string, string> = {};
    const selectionDetails: Record<string, unknown> = {};
    // A setting may narrow the experiment's strategies (`strategies:` inside the setting).
    const settingStrategies = (setting as { strategies?: ExperimentStrategy[] }).strategies ?? strategies;
    const wants = (s: ExperimentStrategy) => settingStrategies.includes(s);
    if (wants("LF_H1") || wants("LF_H2") || wants("Spectrum")) {
      const { result, dir } = await step(
        `selections-${settingName}`,
        "selections",
        {
          phase1: phase1.key,
          base: base.key,
          k: analysis.lf_layers,
          top: analysis.spectrum_top_percent,
          strategies,
        },
        async (dir) => {
          const freeze = await import("@cftkit/freeze");
          const out: Record<string, { file: string; frozen: string[] }> = {};
          const save = async (name: string, sel: { yaml: string; frozen: string[] }) => {
            await writeFileAtomic(join(dir, `${name}.yaml`), sel.yaml);
            out[name] = { file: `${name}.yaml`, frozen: sel.frozen };
          };
          if (wants("LF_H1"))
            await save(
              "LF_H1",
              await freeze.randomLayers(phase1.dir, { k: analysis.lf_layers, seed: experiment.seed }),
            );
          if (wants("LF_H2"))
            await save("LF_H2", await freeze.layerDiff(base.dir, phase1.dir, { topK: analysis.lf_layers }));
          if (wants("Spectrum")) {
            await save(
              "Spectrum",
              await freeze.spectrum(phase1.dir, {
                topPercent: analysis.spectrum_top_percent,
                mode: "freeze-top",
                cachePath: join(dir, "snr-cache.jsonl"),
                progress: options.progress,
              }),
            );
          }
          return out;
        },
      );
      for (const [name, sel] of Object.entries(result)) {
        selections[name] = join(dir, sel.file);
        selectionDetails[name] = { frozen: sel.frozen };
      }
    }

    // Replay buffers mixed into the Phase-2 data.
    const replay: Record<string, { path: string; type: "chat_template" }> = {};
    const replayDetails: Record<string, unknown> = {};
    const replayStrategies = (["ER_10", "GR_5", "GR_10"] as const).filter(wants);
    if (replayStrategies.length) {
      if (!sources) {
        throw new CftkitError(
          "RUN_REPLAY_SOURCES_MISSING",
          `setting ${settingName}: strategies ${replayStrategies.join(", ")} need replay_sources.${settingName} ({phase2, english}) in the experiment file`,
        );
      }
      for (const strategy of replayStrategies) {
        const ratio = strategy === "GR_5" ? 0.05 : 0.1;
        const generative = strategy.startsWith("GR");
        const { result, dir } = await step(
          `replay-${settingName}-${strategy}`,
          "replay",
          {
            phase2: await fileKey(sources.phase2),
            english: await fileKey(sources.english),
            ratio,
            seed: experiment.seed,
            model: generative ? phase1.key : null,
            maxNew: analysis.gr_max_new_tokens,
            exclude: evalInputs,
          },
          async (dir) => {
            const replayApi = await import("@cftkit/replay");
            const common = {
              phase2: abs(sources.phase2),
              english: abs(sources.english),
              ratio,
              seed: experiment.seed,
              outDir: join(dir, "buffer"),
              exclude: evalConfig.heldout.map((h) => abs(h.path)), // evaluation records never enter a replay buffer
            };
            let counts: unknown;
            if (generative) {
              const lm = await CausalLM.load(phase1.dir);
              try {
                const generator = replayApi.embeddedGenerator(lm, {
                  modelName: `phase1:${settingName}`,
                  maxTokens: analysis.gr_max_new_tokens,
                  temperature: 0,
                  seed: experiment.seed,
                });
                const { summary } = await replayApi.runGenerativeReplayFiles({
                  ...common,
                  generator,
                  progress: options.progress,
                  filters: { empty: true, refusal: true, ...analysis.gr_filters },
                });
                counts = summary;
              } finally {
                lm.dispose();
              }
            } else {
              counts = (await replayApi.runEnglishReplay(common)).counts;
            }
            // Every generated response may have been filtered out: then Phase 2 trains on its own data.
            const buffer = join(dir, "buffer", "replay.jsonl");
            const bufferRows = (await readFile(buffer, "utf8")).split("\n").filter((l) => l.trim()).length;
            const mix = await replayApi.mixReplayFiles({
              phase2: abs(sources.phase2),
              replay: bufferRows > 0 ? [buffer] : [],
              seed: experiment.seed,
              out: join(dir, "mixed.chat.jsonl"),
              format: "chat_template",
            });
            return { file: "mixed.chat.jsonl", counts, mix: mix as unknown };
          },
        );
        replay[strategy] = { path: join(dir, result.file), type: "chat_template" };
        replayDetails[strategy] = { buffer: result.counts };
      }
    }

    // Phase-2 plans with the selections and replay mixes in place.
    const compiled = await compileExperiment(
      {
        ...experiment,
        settings: [
          {
            ...setting,
            selections: { ...setting.selections, ...selections },
            replay: { ...setting.replay, ...replay },
          },
        ],
      } as typeof experiment,
      { baseDir, experimentPath: options.experimentPath },
    );
    const phase1Scores = await evaluate(`${settingName}-phase1`, phase1);
    const phase1Acts = await hiddenStates(`${settingName}-phase1`, phase1);
    const phase1Layers = (await similarity.readActivationFile(phase1Acts.file)).layers;
    addProjection(projectionRows, `${settingName} phase 1`, phase1Layers);

    const phase2Models: {
      strategy: string;
      model: ModelRef;
      training: TrainingSummary;
      plan: TrainingPlan;
    }[] = [];
    for (const plan of compiled.plans.filter(
      (p) => p.phase !== 1 && wants(p.strategy as ExperimentStrategy),
    )) {
      const strategy = plan.strategy;
      const { result, key } = await step(
        `phase2-${settingName}-${strategy}`,
        "phase2",
        {
          plan: planKey(plan),
          base: phase1.key,
          data: await Promise.all(plan.datasets.map((d) => fileKey(d.path))),
          selection: selections[strategy] ? await fileKey(selections[strategy]!) : null,
        },
        () => train(plan),
      );
      phase2Models.push({
        strategy,
        model: { dir: result.modelDir, key },
        training: trainingSummary(
          result.steps,
          result.finalLoss,
          result.seconds,
          await readCurve(result.metricsPath),
        ),
        plan,
      });
    }
    for (const skipped of compiled.skipped.filter((s) => wants(s.strategy)))
      log.event(`phase2-${settingName}-${skipped.strategy}`, "skipped", { reason: skipped.reason });

    // Evaluation, MPD, drift and projection of every Phase-2 model.
    const mpd = phase2Models.length
      ? (
          await step(
            `mpd-${settingName}`,
            "analysis",
            { phase1: phase1.key, models: phase2Models.map((m) => m.model.key) },
            async () =>
              similarity.compareModels(
                phase1.dir,
                phase2Models.map((m) => m.model.dir),
              ),
          )
        ).result
      : [];
    const driftSeries: { name: string; points: { x: number; y: number }[] }[] = [];
    const lossSeries: { name: string; points: { x: number; y: number }[] }[] = [];
    for (const [i, m] of phase2Models.entries()) {
      const scores = await evaluate(`${settingName}-${m.strategy}`, m.model);
      const acts = await hiddenStates(`${settingName}-${m.strategy}`, m.model);
      const layers = (await similarity.readActivationFile(acts.file)).layers;
      const drift: LayerDrift[] = similarity.layerDrift(phase1Layers, layers);
      addProjection(projectionRows, `${settingName} ${m.strategy}`, layers);
      driftSeries.push({ name: m.strategy, points: drift.map((d) => ({ x: d.layer, y: d.spectral })) });
      lossSeries.push({ name: m.strategy, points: m.training.curve.map((c) => ({ x: c.step, y: c.loss })) });
      strategyResults.push({
        pair: settingName,
        strategy: m.strategy,
        phase1: phase1Scores,
        phase2: scores,
        delta: {
          ea: scores.ea - phase1Scores.ea,
          ma: scores.ma - phase1Scores.ma,
          english_loss: scores.english_loss - phase1Scores.english_loss,
          multilingual_loss: scores.multilingual_loss - phase1Scores.multilingual_loss,
        },
        mpd: mpd[i]?.mpd ?? Number.NaN,
        mpd_normalized: mpd[i]?.normalized ?? Number.NaN,
        drift,
        training: m.training,
        details: {
          selection: selectionDetails[m.strategy],
          replay: replayDetails[m.strategy],
          model_dir: m.model.dir,
        },
        plan: m.plan,
      });
    }
    if (driftSeries.length) {
      charts.drift[settingName] = await similarity.lineChartSvg(driftSeries, {
        title: `Drift per layer vs Phase 1 (${settingName})`,
        xLabel: "layer (0 = embeddings)",
        yLabel: "‖Σ_P2 − Σ_P1‖₂",
        integerX: true,
      });
      charts.training[settingName] = await similarity.lineChartSvg(lossSeries, {
        title: `Phase-2 training loss (${settingName})`,
        xLabel: "step",
        yLabel: "loss",
        integerX: true,
      });
    }
    pairs.push({
      name: settingName,
      description: `${setting.phase1.datasets ? "Phase 1 trained" : "instruct model"} → Phase 2`,
      phase1_data:
        phase1Paths.map((p) => p.slice(baseDir.length + 1)).join(", ") || String(setting.phase1.model),
      phase2_data: phase2Paths.map((p) => p.slice(baseDir.length + 1)).join(", "),
      des: desResult?.des ?? Number.NaN,
      des_encoder: desResult?.model ?? "—",
      des_by_language: desResult?.by_language ?? {},
      phase1: phase1Scores,
      phase1_training: phase1Training,
    });
  }

  // Projection of every model's per-layer mean activations, and the report.
  const points =
    projectionRows.length >= 3
      ? similarity
          .project(
            projectionRows.map((r) => r.vector),
            { method: analysis.projection, seed: experiment.seed },
          )
          .map(([x, y], i) => ({
            model: projectionRows[i]!.model,
            layer: projectionRows[i]!.layer,
            x,
            y,
          }))
      : [];
  const projectionSvg = points.length
    ? await similarity.scatterChartSvg(
        points.map((p) => ({ x: p.x, y: p.y, group: p.model, label: `layer ${p.layer}` })),
        {
          title: `${analysis.projection === "tsne" ? "t-SNE" : "UMAP"} of per-layer mean activations`,
          xLabel: "dimension 1",
          yLabel: "dimension 2",
        },
      )
    : "";
  const results: ExperimentResults = {
    name: experiment.title ?? experiment.name,
    created_at: new Date().toISOString(),
    profile: options.profile ?? "custom",
    seed: experiment.seed,
    backend: experiment.backend,
    model: modelInfo,
    measures: [
      "EA = mean of the English task scores, MA = mean of the other languages' task scores (the paper's plain means).",
      "heldout_likelihood/<set>/<lang> = exp(−mean NLL per reference-response token) on held-out records of that set and language (higher is better); english_loss / multilingual_loss are the means of those NLLs over the English / other sets.",
      "xquad_f1/<lang> = SQuAD v1.1 F1 / 100 of greedy answers on held-out XQuAD articles.",
      "DES = <E(P1 data), E(P2 data)> with E the L2-normalised mean embedding (paper Definition 1).",
      "MPD = mean over parameter tensors of ‖w_P2 − w_P1‖₂, normalised by the largest of the pair (paper Definition 2).",
      "Drift = ‖Σ_P2 − Σ_P1‖₂ per layer of the covariance of mean activations on MT-Bench prompts (paper §4.4).",
    ],
    pairs,
    strategies: strategyResults,
    projection: { method: analysis.projection, points },
    notes: options.notes ?? [],
    seconds: (Date.now() - started) / 1000,
  };
  if (selected("report", options) || !existsSync(join(reportDir, "results.json"))) {
    const { renderHtml } = await import("../report/render-html.js");
    const { renderMarkdown } = await import("../report/render-markdown.js");
    await mkdir(reportDir, { recursive: true });
    await writeJsonAtomic(join(reportDir, "results.json"), results);
    await writeFileAtomic(join(reportDir, "report.md"), renderMarkdown(results));
    await writeFileAtomic(
      join(reportDir, "index.html"),
      renderHtml(results, { ...charts, projection: projectionSvg }),
    );
    log.event("report", "done", { path: join(reportDir, "index.html") });
  }
  await writeJsonAtomic(join(outDir, "manifest.json"), {
    experiment: resolve(options.experimentPath),
    steps: await listSteps(cache.root),
    report: {
      html: join(reportDir, "index.html"),
      markdown: join(reportDir, "report.md"),
      results: join(reportDir, "results.json"),
    },
  });
  return { outDir, reportDir, results };
}

/** A plan's cache key: everything that changes what it trains, not where it writes. */
function planKey(plan: TrainingPlan): string {
  return stableHash({ ...plan, output_dir: undefined, inputs: undefined });
}

/** One row per layer: the mean over prompts of that layer's activations (paper Figure 1). */
function addProjection(
  rows: { model: string; layer: number; vector: number[] }[],
  model: string,
  layers: ActivationLayer[],
): void {
  for (const l of layers) {
    const v = new Array<number>(l.dim).fill(0);
    for (let r = 0; r < l.rows; r++) for (let j = 0; j < l.dim; j++) v[j]! += l.data[r * l.dim + j]! / l.rows;
    rows.push({ model, layer: l.layer, vector: v });
  }
}

async function listSteps(root: string): Promise<{ step: string; key: string; seconds: number }[]> {
  const { readdir, readFile } = await import("node:fs/promises");
  if (!existsSync(root)) return [];
  const out: { step: string; key: string; seconds: number }[] = [];
  for (const entry of (await readdir(root)).sort()) {
    const file = join(root, entry, "step.json");
    if (!existsSync(file)) continue;
    const record = JSON.parse(await readFile(file, "utf8")) as { step: string; key: string; seconds: number };
    out.push({ step: record.step, key: record.key, seconds: record.seconds });
  }
  return out;
}
