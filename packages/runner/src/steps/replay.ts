import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import { type ReplayRecipe, strategyEntry } from "@cftkit/trainer";
import { absolutePath, fileKey, type RunContext } from "../run-context.js";
import type { PairState } from "../run-state.js";
import { type PipelineStep, unit } from "../step.js";
import { generateReplayBuffer } from "./replay-generation.js";

interface ReplayOutcome {
  file: string;
  counts: unknown;
  mix: unknown;
}

/** The English replay buffer (ER) or the Phase-1 model's answers (GR), then mixed into the Phase-2 data. */
async function makeReplay(
  ctx: RunContext,
  pair: PairState,
  recipe: ReplayRecipe,
  dir: string,
): Promise<ReplayOutcome> {
  const replayApi = await import("@cftkit/replay");
  const { seed, evaluation } = ctx.experiment;
  const sources = ctx.experiment.replay_sources[pair.name]!;
  const common = {
    phase2: absolutePath(ctx, sources.phase2),
    english: absolutePath(ctx, sources.english),
    ratio: recipe.ratio,
    seed,
    outDir: join(dir, "buffer"),
    exclude: evaluation.heldout.map((h) => absolutePath(ctx, h.path)), // evaluation records never enter a buffer
  };
  let counts: unknown;
  if (recipe.kind === "generative") {
    counts = await generateReplayBuffer(ctx, pair.phase1!.dir, `phase1:${pair.name}`, common);
  } else {
    counts = (await replayApi.runEnglishReplay(common)).counts;
  }
  // Every generated response may have been filtered out: then Phase 2 trains on its own data.
  const buffer = join(dir, "buffer", "replay.jsonl");
  const bufferRows = (await readFile(buffer, "utf8")).split("\n").filter((l) => l.trim()).length;
  const mix = await replayApi.mixReplayFiles({
    phase2: common.phase2,
    replay: bufferRows > 0 ? [buffer] : [],
    seed,
    out: join(dir, "mixed.chat.jsonl"),
    format: "chat_template",
  });
  return { file: "mixed.chat.jsonl", counts, mix: mix as unknown };
}

/** Replay buffers (ER_10, GR_5, GR_10, …: kind and ratio from the strategy catalogue) mixed into Phase 2. */
export const replayStep: PipelineStep = {
  name: "replay",
  summary: "English (ER) and generative (GR) replay buffers, mixed into each pair's Phase-2 data",
  async units(ctx, state) {
    const units = [];
    for (const pair of state.pairs) {
      const wanted = pair.strategies.filter((s) => strategyEntry(s).replay);
      if (!wanted.length) continue;
      const sources = ctx.experiment.replay_sources[pair.name];
      if (!sources) {
        throw new CftkitError(
          "RUN_REPLAY_SOURCES_MISSING",
          `setting ${pair.name}: strategies ${wanted.join(", ")} need replay_sources.${pair.name} ({phase2, english}) in the experiment file`,
        );
      }
      for (const strategy of wanted) {
        const recipe = strategyEntry(strategy).replay!;
        units.push(
          unit<ReplayOutcome>({
            label: `replay-${pair.name}-${strategy}`,
            inputs: {
              phase2: await fileKey(ctx, sources.phase2),
              english: await fileKey(ctx, sources.english),
              ratio: recipe.ratio,
              seed: ctx.experiment.seed,
              model: recipe.kind === "generative" ? pair.phase1?.key : null,
              maxNew: ctx.experiment.analysis.gr_max_new_tokens,
              generator: recipe.kind === "generative" && ctx.experiment.generation ? "server" : "embedded",
              exclude: ctx.evaluation.key,
            },
            run: (dir) => makeReplay(ctx, pair, recipe, dir),
            keep: ({ result, dir }) => {
              pair.replay[strategy] = { path: join(dir, result.file), counts: result.counts };
            },
          }),
        );
      }
    }
    return units;
  },
};
