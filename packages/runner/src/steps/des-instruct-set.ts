import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { CftkitError, stableHash } from "@cftkit/core";
import { bundledDataDir } from "../bundled-data.js";
import { absolutePath, fileKey, type RunContext } from "../run-context.js";
import type { InstructDesSet } from "../run-state.js";
import { generateReplayBuffer } from "./replay-generation.js";

/** The answers file inside the unit's folder (the GR journal's name, so an interrupted run resumes it). */
const SET_FILE = join("instruct-set", "replay.jsonl");

/**
 * The paper keeps nothing out of its Instruct set, so no quality filter: one record per prompt, an empty
 * answer included (its instruction is still embedded).
 */
const KEEP_EVERY_ANSWER = { empty: false, truncated: false, refusal: false, language: null };

/** The prompts file of the Instruct DES set: the experiment's, else the bundled MT-Bench questions. */
export function instructPromptsPath(ctx: RunContext): string {
  const configured = ctx.experiment.analysis.des.instruct_set.prompts;
  if (!configured) return join(bundledDataDir(), "mt_bench", "question.jsonl");
  const path = absolutePath(ctx, configured);
  if (!existsSync(path))
    throw new CftkitError(
      "RUN_DES_PROMPTS_MISSING",
      `analysis.des.instruct_set.prompts: ${path} does not exist (the prompts the instruct model answers for DES)`,
    );
  return path;
}

/**
 * What the generated set depends on: the model (its Phase-1 key), the prompts and how they are answered (its
 * cache key). Paths as the experiment writes them, so a run folder copied to another machine keeps its keys.
 */
export async function instructSetInputs(ctx: RunContext, modelKey: string) {
  const { prompts: configured, max_prompts, max_new_tokens } = ctx.experiment.analysis.des.instruct_set;
  const { sha256 } = await fileKey(ctx, instructPromptsPath(ctx));
  return {
    model: modelKey,
    prompts: { path: configured ?? "bundled:mt_bench/question.jsonl", sha256 },
    max_prompts,
    max_new_tokens,
    seed: ctx.experiment.seed,
    generator: ctx.experiment.generation ? "server" : "embedded",
  };
}

/** The cache key of `instructSetInputs` (part of the DES unit's inputs, so new answers re-measure DES). */
export function instructSetKey(inputs: Awaited<ReturnType<typeof instructSetInputs>>): string {
  return stableHash(inputs);
}

/**
 * Generate the off-the-shelf Phase-1 model's answers to the first turn of up to `max_prompts` prompts (a
 * seeded sample when the file holds more) into `<dir>/instruct-set/replay.jsonl`, through the runner's GR
 * generation path (the experiment's `generation` servers, else the embedded model); greedy.
 */
export async function generateInstructSet(
  ctx: RunContext,
  modelDir: string,
  modelName: string,
  dir: string,
): Promise<InstructDesSet> {
  const { loadDataset } = await import("@cftkit/datasets");
  const { max_prompts, max_new_tokens } = ctx.experiment.analysis.des.instruct_set;
  const promptsPath = instructPromptsPath(ctx);
  const available = (await loadDataset(promptsPath)).length;
  const count = Math.min(max_prompts, available);
  const outDir = join(dir, "instruct-set");
  const summary = await generateReplayBuffer(
    ctx,
    modelDir,
    modelName,
    { english: promptsPath, count, seed: ctx.experiment.seed, outDir },
    { maxNewTokens: max_new_tokens, filters: KEEP_EVERY_ANSWER },
  );
  if (summary.accepted < count) {
    // Not done: the step stays unfinished, and a re-run resumes the journal where it stopped.
    throw new CftkitError(
      "RUN_DES_SET_INCOMPLETE",
      `${modelName}: ${summary.accepted} of ${count} prompts answered (${summary.failed.total} failed, ${summary.pending} pending); run again to resume`,
    );
  }
  return {
    file: SET_FILE,
    model: modelName,
    prompts: relative(ctx.baseDir, promptsPath) || promptsPath,
    prompts_available: available,
    prompts_used: count,
    rows: summary.accepted,
    resumed: summary.resumed.accepted,
    generator: ctx.experiment.generation ? "server" : "embedded",
    max_new_tokens,
  };
}
