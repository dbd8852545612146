import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { PipelineLog } from "./pipeline-log.js";
import type { RunContext } from "./run-context.js";
import type { RunState } from "./run-state.js";
import { type PipelineStep, unit } from "./step.js";
import { checkStepNames, walkSteps } from "./walker.js";

/** A table of three steps that count their runs and pass a value down the state. */
function countingTable(runs: Record<string, number>, seen: string[]): PipelineStep[] {
  const step = (name: string, input: number): PipelineStep => ({
    name,
    summary: `step ${name}`,
    async units() {
      return [
        unit<number>({
          label: `${name}-pair`,
          inputs: { input },
          run: async () => {
            runs[name] = (runs[name] ?? 0) + 1;
            return input * 10;
          },
          keep: ({ result }) => {
            seen.push(`${name}=${result}`);
          },
        }),
      ];
    },
  });
  return [step("a", 1), step("b", 2), step("c", 3)];
}

function context(dir: string): RunContext {
  return {
    outDir: dir,
    log: new PipelineLog(join(dir, "run.log"), false, true, silentProgress),
  } as RunContext;
}

const emptyState = (): RunState => ({
  pairs: [],
  seeds: [],
  model: { preset: "", parameters: 0, config: {} },
  projection: { method: "tsne", points: [] },
  stepSeconds: 0,
});

describe("walkSteps", () => {
  it("runs each unit once, reuses it afterwards, and hands results down in table order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-walk-"));
    const runs: Record<string, number> = {};
    const seen: string[] = [];
    await walkSteps(countingTable(runs, seen), context(dir), emptyState());
    await walkSteps(countingTable(runs, seen), context(dir), emptyState());
    expect(runs).toEqual({ a: 1, b: 1, c: 1 });
    expect(seen).toEqual(["a=10", "b=20", "c=30", "a=10", "b=20", "c=30"]);
    const log = readFileSync(join(dir, "run.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(log.filter((l) => l.step === "b-pair").map((l) => l.status)).toEqual(["start", "done", "reused"]);
    expect(log.filter((l) => l.status === "step").map((l) => `${l.step} ${l.n}`)).toContain("c 3/3");
  });

  it("--only runs the named steps and stops after the last; a needed step that never ran is an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-walk-"));
    const runs: Record<string, number> = {};
    await expect(
      walkSteps(countingTable(runs, []), context(dir), emptyState(), { only: ["b"] }),
    ).rejects.toThrow(/a-pair is needed but has not run yet/);
    await walkSteps(countingTable(runs, []), context(dir), emptyState(), { only: ["a"] });
    expect(runs).toEqual({ a: 1 });
    await walkSteps(countingTable(runs, []), context(dir), emptyState(), { only: ["b"] });
    expect(runs).toEqual({ a: 1, b: 1 });
  });

  it("--from runs that step and every later one, reusing earlier ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-walk-"));
    const runs: Record<string, number> = {};
    await walkSteps(countingTable(runs, []), context(dir), emptyState(), { only: ["a"] });
    await walkSteps(countingTable(runs, []), context(dir), emptyState(), { from: "b" });
    expect(runs).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("step names come from the table", () => {
    const table = countingTable({}, []);
    expect(checkStepNames(table, ["a", "c"], "--only")).toEqual(["a", "c"]);
    expect(() => checkStepNames(table, ["d"], "--only")).toThrow('--only: unknown step "d" (steps: a, b, c)');
  });
});
