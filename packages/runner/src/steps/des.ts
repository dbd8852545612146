import { existsSync } from "node:fs";
import { absolutePath, fileKey, type RunContext } from "../run-context.js";
import type { DesOutcome, PairState } from "../run-state.js";
import { type PipelineStep, unit } from "../step.js";

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
    const { CausalLM } = await import("@cftkit/lm");
    const { CausalLmEncoder } = await import("../causal-lm-encoder.js");
    return CausalLmEncoder.fromModel(await CausalLM.load(pair.base.dir), `base:${ctx.experiment.base_model}`);
  }
  const { SentenceTransformerEncoder } = await import("@cftkit/similarity");
  // A local encoder folder (e.g. LaBSE in the sentence-transformers layout) is relative to the experiment file.
  const local = des.model !== undefined && existsSync(absolutePath(ctx, des.model));
  return SentenceTransformerEncoder.load({
    model: local ? absolutePath(ctx, des.model!) : des.model,
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
      seed: ctx.experiment.seed,
      progress: ctx.progress,
    });
  } finally {
    await encoder.dispose?.();
  }
}

/** DES between the two phases' data, before any training (paper Definition 1): the forgetting risk. */
export const desStep: PipelineStep = {
  name: "des",
  summary: "dataset embedding similarity of each pair's Phase-1 and Phase-2 data (before training)",
  async units(ctx, state) {
    const units = [];
    for (const pair of state.pairs) {
      const phase1 = pair.stage.setting.phase1.datasets?.map((d) => absolutePath(ctx, d.path)) ?? [];
      if (!phase1.length) continue; // an off-the-shelf instruct model: no Phase-1 data to compare
      const phase2 = phase2Files(ctx, pair);
      units.push(
        unit<DesOutcome>({
          label: `des-${pair.name}`,
          inputs: {
            base: pair.base.key,
            phase1: await Promise.all(phase1.map((p) => fileKey(ctx, p))),
            phase2: await Promise.all(phase2.map((p) => fileKey(ctx, p))),
            des: ctx.experiment.analysis.des,
            seed: ctx.experiment.seed,
          },
          run: () => measureDes(ctx, pair, phase1, phase2),
          keep: ({ result }) => {
            pair.des = result;
          },
        }),
      );
    }
    return units;
  },
};
