// Test helpers for the step tests (not exported from the package): the quickstart's experiment at the
// smallest size that still runs every code path, on the tiny embedded model.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentProgress } from "@cftkit/core";
import { type RunExperiment, readRunExperiment } from "../experiment-schema.js";
import { prepareRun } from "../prepare-run.js";
import type { QuickstartSizes } from "../quickstart-profile.js";
import { writeQuickstartExperiment } from "../quickstart.js";
import { createRunContext, type RunContext } from "../run-context.js";
import type { PairState, RunState } from "../run-state.js";
import { STEP_TABLE } from "../step-table.js";
import { walkSteps } from "../walker.js";

/** Two optimizer steps per phase (the first is warm-up at learning rate 0), 2-row batches of 384 tokens (the fast profile's, so shortened XQuAD records fit), one held-out article, 12 drift prompts. */
export const TINY_SIZES: QuickstartSizes = {
  preset: "tiny",
  phase1Records: 8,
  phase2PerLanguage: 1,
  evalArticles: 1,
  heldoutPerLanguage: 1,
  qaPerLanguage: 1,
  phase1Steps: 2,
  phase2Steps: 2,
  learningRate: 3e-3,
  sequenceLength: 384,
  desSamples: 4,
  driftPrompts: 4,
  lfLayers: 1,
  grMaxNewTokens: 4,
  pairs: ["dissimilar"],
  microBatch: 2,
  seeds: 1,
};

export interface TinyRun {
  ctx: RunContext;
  state: RunState;
  pair: PairState;
  dir: string;
  /** Walk the step table up to and including `step` (earlier steps run or are reused). */
  walkTo(step: string): Promise<void>;
  /** The run log's `{step, status}` lines. */
  log(): { step: string; status: string }[];
}

/**
 * A fresh tiny run of the given strategies in a temp folder, prepared but with no step run yet; `edit`
 * changes the validated experiment before the run is prepared (another setting, other analysis options).
 */
export async function tinyRun(
  strategies: string[] = ["baseline"],
  dir?: string,
  edit?: (experiment: RunExperiment) => void,
): Promise<TinyRun> {
  const out = dir ?? mkdtempSync(join(tmpdir(), "cftkit-runner-"));
  const path = await writeQuickstartExperiment(out, TINY_SIZES, "test", 0, { strategies });
  const experiment = await readRunExperiment(path);
  experiment.evaluation.qa_max_new_tokens = 4;
  experiment.evaluation.responses_max_new_tokens = 4;
  edit?.(experiment);
  const ctx = await createRunContext({
    experiment,
    experimentPath: path,
    progress: silentProgress,
    quiet: true,
  });
  const state = await prepareRun(ctx);
  return {
    ctx,
    state,
    pair: state.pairs[0]!,
    dir: out,
    walkTo: (step) => {
      const last = STEP_TABLE.findIndex((s) => s.name === step);
      return walkSteps(STEP_TABLE.slice(0, last + 1), ctx, state);
    },
    log: () =>
      readFileSync(join(out, "run.log"), "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as { step: string; status: string }),
  };
}

/** Per-test timeout of the step tests: a few tiny trainings on a loaded 2-core machine. */
export const STEP_TEST_TIMEOUT = 300_000;

/**
 * `generation.launch` for the real `cftkit lm serve` (this checkout's CLI, run from source), as the step tests
 * that evaluate or generate through a launched server use it.
 */
export function lmServeLaunch(): string[] {
  process.env.CFTKIT_FROM_SOURCE = "1";
  const cli = fileURLToPath(new URL("../../../cli/bin/cftkit.js", import.meta.url));
  return [process.execPath, cli, "lm", "serve", "{model}", "--port", "{port}"];
}
