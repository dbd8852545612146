import { join } from "node:path";
import { stableHash } from "@cftkit/core";
import { modelReference } from "../model-folder.js";
import { absolutePath, fileKey, type RunContext } from "../run-context.js";
import type { DesOutcome, InstructDesSet, PairState } from "../run-state.js";
import { type PipelineStep, type StepUnit, unit } from "../step.js";
import { generateInstructSet, instructSetInputs, instructSetKey } from "./des-instruct-set.js";

/** The Phase-2 data DES compares against: the replay sources' records when given, else the training files. */
function phase2Files(ctx: RunContext, pair: PairState): string[] {
  const sources = ctx.experiment.replay_sources[pair.name];
  return sources
    ? [absolutePath(ctx, sources.phase2)]
    : pair.stage.setting.phase2.datasets.map((d) => absolutePath(ctx, d.path));
}

async function encoderFor(ctx: RunContext, pair: PairState) {
  const des = ctx.experiment.analysis.des;
  if (des.encoder === "lm") {
    // Held in memory when it fits, else read one decoder layer at a time (a 7B/8B base on a CPU node).
    const { CausalLmEncoder } = await import("../causal-lm-encoder.js");
    return CausalLmEncoder.load(pair.base.dir, { id: `base:${ctx.experiment.base_model}` });
  }
  const { SentenceTransformerEncoder } = await import("@cftkit/similarity");
  // A local encoder folder (e.g. LaBSE in the sentence-transformers layout) is relative to the experiment
  // file; a Hub id (sentence-transformers/LaBSE) is read from the Hub cache when it was downloaded there.
  return SentenceTransformerEncoder.load({
    model: des.model === undefined ? undefined : modelReference(ctx, des.model),
    offline: true,
  });
}

async function measureDes(
  ctx: RunContext,
  pair: PairState,
  phase1: string[],
  phase2: string[],
): Promise<DesOutcome> {
  const { loadDataset } = await import("@cftkit/datasets");
  const similarity = await import("@cftkit/similarity");
  const load = async (files: string[]) => (await Promise.all(files.map((p) => loadDataset(p)))).flat();
  const [a, b] = [await load(phase1), await load(phase2)];
  const encoder = await encoderFor(ctx, pair);
  try {
    return await similarity.des(a, b, {
      encoder,
      samples: ctx.experiment.analysis.des.samples,
      text: ctx.experiment.analysis.des.text,
      seed: ctx.experiment.seed,
      progress: ctx.progress,
    });
  } finally {
    await encoder.dispose?.();
  }
}

/** The DES settings that change the number (the Instruct set's own settings key its answers instead). */
function embeddingSettings(ctx: RunContext) {
  const { instruct_set: _set, ...settings } = ctx.experiment.analysis.des;
  return settings;
}

/** One DES unit: `phase1` is the Phase-1 side's identity in the cache key, `files` its data when it runs. */
async function desUnit(
  ctx: RunContext,
  pair: PairState,
  phase1: unknown,
  files: () => string[],
  extra: () => Partial<DesOutcome> = () => ({}),
): Promise<StepUnit> {
  const phase2 = phase2Files(ctx, pair);
  return unit<DesOutcome>({
    label: `des-${pair.name}`,
    inputs: {
      base: pair.base.key,
      phase1,
      phase2: await Promise.all(phase2.map((p) => fileKey(ctx, p))),
      des: embeddingSettings(ctx),
      seed: ctx.experiment.seed,
    },
    run: async () => ({ ...(await measureDes(ctx, pair, files(), phase2)), ...extra() }),
    keep: ({ result }) => {
      pair.des = { ...result, ...extra() }; // a reused DES still names the set as it now stands
    },
  });
}

/**
 * The paper's "Instruct" DES set of the pairs whose Phase 1 is this off-the-shelf model: generated once
 * (one unit however many pairs share the model), then each pair's DES against it.
 */
async function instructUnits(ctx: RunContext, model: string, pairs: PairState[]): Promise<StepUnit[]> {
  // A folder relative to the experiment file, else a Hub-cache snapshot, else an id a generation server knows.
  const modelDir = modelReference(ctx, model);
  const setInputs = await instructSetInputs(ctx, stableHash({ instruct: model })); // phase1's key;
  let generated: DesOutcome["phase1_set"];
  const units: StepUnit[] = [
    unit<InstructDesSet>({
      label: `des-set-${pairs[0]!.name}`,
      inputs: setInputs,
      run: (dir) => generateInstructSet(ctx, modelDir, `instruct:${model}`, dir),
      keep: ({ result, dir }) => {
        generated = { ...result, path: join(dir, result.file) };
      },
    }),
  ];
  const phase1 = { instruct_set: instructSetKey(setInputs) };
  for (const pair of pairs) {
    units.push(
      await desUnit(
        ctx,
        pair,
        phase1,
        () => [generated!.path],
        () => ({ phase1_set: generated }),
      ),
    );
  }
  return units;
}

/**
 * DES between the two phases' data, before any training (paper Definition 1): the forgetting risk. A pair
 * whose Phase 1 is an off-the-shelf model has no Phase-1 data: its model's answers to MT-Bench stand in
 * (the paper's Table 3, ‡).
 */
export const desStep: PipelineStep = {
  name: "des",
  summary:
    "dataset embedding similarity of each pair's Phase-1 data (or its instruct model's MT-Bench answers) and Phase-2 data",
  async units(ctx, state) {
    const units: StepUnit[] = [];
    const byInstructModel = new Map<string, PairState[]>();
    for (const pair of state.pairs) {
      const { datasets, model } = pair.stage.setting.phase1;
      if (!datasets?.length) {
        byInstructModel.set(model!, [...(byInstructModel.get(model!) ?? []), pair]);
        continue;
      }
      const phase1 = datasets.map((d) => absolutePath(ctx, d.path));
      const keys = await Promise.all(phase1.map((p) => fileKey(ctx, p)));
      units.push(await desUnit(ctx, pair, keys, () => phase1));
    }
    for (const [model, pairs] of byInstructModel) units.push(...(await instructUnits(ctx, model, pairs)));
    return units;
  },
};
