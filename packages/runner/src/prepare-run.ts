import { existsSync } from "node:fs";
import { join } from "node:path";
import { stableHash } from "@cftkit/core";
import { compilePhase1, embeddedBaseModelDir, settingStrategies } from "@cftkit/trainer";
import { localModelDir } from "./model-folder.js";
import { absolutePath, type RunContext } from "./run-context.js";
import type { PairState, RunState } from "./run-state.js";

/** Compile options of the run: paths resolve against the experiment file's folder. */
export function compileOptions(ctx: RunContext) {
  return { baseDir: ctx.baseDir, experimentPath: ctx.experimentPath };
}

/**
 * Before the step table: stage 1 of the compile per setting, the base model folder (a fresh `init:` model
 * is created once, from the experiment's seed) and the model facts the report shows.
 */
export async function prepareRun(ctx: RunContext): Promise<RunState> {
  const { experiment } = ctx;
  const { CausalLM, parameterCount, readModelConfig } = await import("@cftkit/lm");
  const pairs: PairState[] = [];
  let model: RunState["model"] = { preset: experiment.base_model, parameters: 0, config: {} };
  for (const setting of experiment.settings) {
    const stage = compilePhase1(experiment, setting, compileOptions(ctx));
    let baseDir = stage.phase1Plan
      ? embeddedBaseModelDir(stage.phase1Plan)
      : absolutePath(ctx, experiment.base_model);
    const init = /^init:(tiny|small)$/.exec(experiment.base_model);
    if (init && !existsSync(join(baseDir, "config.json"))) {
      const fresh = await CausalLM.init({ preset: init[1] as "tiny" | "small", seed: experiment.seed });
      await fresh.save(baseDir);
      fresh.dispose();
    }
    baseDir = localModelDir(ctx, baseDir);
    // config.json only: the weights of a 7B base need not be loaded (nor copied to a laptop finishing a run).
    const config = await readModelConfig(baseDir);
    model = {
      preset: experiment.base_model.replace(/^init:/, ""),
      parameters: parameterCount(config),
      config: { ...(config as unknown as Record<string, unknown>) },
    };
    pairs.push({
      name: setting.name,
      stage,
      strategies: settingStrategies(experiment, setting),
      base: { dir: baseDir, key: stableHash({ base: experiment.base_model, seed: experiment.seed }) },
      selections: {},
      replay: {},
      phase2: [],
      scores: {},
      activations: {},
      mpd: {},
      drift: {},
    });
  }
  return { pairs, model, projection: { method: experiment.analysis.projection, points: [] }, stepSeconds: 0 };
}
