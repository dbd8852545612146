import { join } from "node:path";
import { CftkitError } from "@cftkit/core";
import type { RunContext } from "./run-context.js";
import type { RunState } from "./run-state.js";
import type { PipelineStep, StepUnit } from "./step.js";
import { StepCache } from "./step-cache.js";

/** Which steps of the table this invocation runs; the others are reused from the cache. */
export interface StepSelection {
  /** Run only these steps (and stop after the last of them). */
  only?: string[];
  /** Run this step and every later one. */
  from?: string;
}

/** The step names `--only` / `--from` accept, checked against the table. */
export function checkStepNames(table: readonly PipelineStep[], names: string[], flag: string): string[] {
  const known = table.map((s) => s.name);
  for (const name of names) {
    if (!known.includes(name))
      throw new CftkitError("CLI_BAD_STEP", `${flag}: unknown step "${name}" (steps: ${known.join(", ")})`);
  }
  return names;
}

function isSelected(table: readonly PipelineStep[], name: string, selection: StepSelection): boolean {
  if (selection.only) return selection.only.includes(name);
  if (selection.from)
    return table.findIndex((s) => s.name === name) >= table.findIndex((s) => s.name === selection.from);
  return true;
}

/** Run one unit through the cache (or reuse it); a unit outside the selection must be done already. */
async function runUnit(
  cache: StepCache,
  ctx: RunContext,
  state: RunState,
  u: StepUnit,
  step: string,
  selected: boolean,
) {
  if (u.cache === false) {
    if (!selected) return;
    ctx.log.event(u.label, "start");
    const dir = join(cache.root, u.label);
    await u.keep({ result: await u.run(dir), dir, key: "" });
    ctx.log.event(u.label, "done");
    return;
  }
  const dir = cache.dirOf(u.label, u.inputs);
  const existing = await cache.lookup(u.label, u.inputs);
  if (existing) {
    ctx.log.event(u.label, "reused", { seconds: existing.seconds });
    state.stepSeconds += existing.seconds;
    return u.keep({ result: existing.result, dir, key: existing.key });
  }
  if (!selected) {
    throw new CftkitError(
      "RUN_STEP_NOT_DONE",
      `${u.label} is needed but has not run yet: run without --only/--from, or include ${step}`,
    );
  }
  ctx.log.event(u.label, "start");
  try {
    const { record } = await cache.run(u.label, u.inputs, u.run);
    ctx.log.event(u.label, "done", { seconds: record.seconds });
    state.stepSeconds += record.seconds;
    await u.keep({ result: record.result, dir, key: record.key });
  } catch (error) {
    ctx.log.event(u.label, "failed", { error: (error as Error).message });
    throw error;
  }
}

/** Part of a walk: which steps of the table it takes, and how it names their units (a seed suffix). */
export interface WalkPart {
  includes(step: PipelineStep): boolean;
  label?(label: string): string;
}

/**
 * Walk the step table in order: each step lists its units given the state so far, and each unit runs
 * through the step cache (or is reused). With `only`, the walk stops after the last selected step.
 * A `part` walks only some steps (a run with several seeds walks the table in parts).
 */
export async function walkSteps(
  table: readonly PipelineStep[],
  ctx: RunContext,
  state: RunState,
  selection: StepSelection = {},
  part?: WalkPart,
): Promise<void> {
  const cache = new StepCache(join(ctx.outDir, "steps"));
  const last = selection.only
    ? Math.max(...selection.only.map((name) => table.findIndex((s) => s.name === name)))
    : table.length - 1;
  for (const [index, step] of table.entries()) {
    if (index > last) break;
    if (part && !part.includes(step)) continue;
    const rename = part?.label;
    const units = (await step.units(ctx, state)).map((u) => (rename ? { ...u, label: rename(u.label) } : u));
    ctx.log.event(rename ? rename(step.name) : step.name, "step", {
      n: `${index + 1}/${table.length}`,
      units: units.length,
    });
    const selected = isSelected(table, step.name, selection);
    for (const u of units) await runUnit(cache, ctx, state, u, step.name, selected);
  }
}
