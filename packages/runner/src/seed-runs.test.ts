import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { readRunExperiment } from "./experiment-schema.js";
import { writeQuickstartExperiment } from "./quickstart.js";
import type { ExperimentResults } from "./report/experiment-results.js";
import { runExperiment } from "./run-experiment.js";
import { STEP_TEST_TIMEOUT, TINY_SIZES } from "./testing/tiny-run.js";

function logOf(out: string): { step: string; status: string }[] {
  return readFileSync(join(out, "run.log"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { step: string; status: string });
}

describe("seeds: [..] in the experiment file", () => {
  it(
    "trains and evaluates every model once per seed, analyses the first seed, folds seeds into the report",
    async () => {
      const out = mkdtempSync(join(tmpdir(), "cftkit-seeds-"));
      const path = await writeQuickstartExperiment(out, { ...TINY_SIZES, seeds: 2 }, "test", 5, {
        strategies: ["baseline", "LoRA"],
      });
      const experiment = await readRunExperiment(path);
      expect(experiment.seeds).toEqual([5, 6]);
      experiment.evaluation.qa_max_new_tokens = 4;
      const run = () =>
        runExperiment({ experiment, experimentPath: path, progress: silentProgress, quiet: true });
      const { results } = await run();
      const done = logOf(out)
        .filter((l) => l.status === "done")
        .map((l) => l.step);
      for (const unit of ["phase1-dissimilar", "phase2-dissimilar-LoRA", "evaluate-dissimilar-LoRA"]) {
        expect(done).toContain(unit);
        expect(done).toContain(`${unit}-seed6`);
      }
      expect(done).toContain("hidden-dissimilar-LoRA");
      expect(done).not.toContain("hidden-dissimilar-LoRA-seed6"); // analysis: first seed only
      expect(done).not.toContain("des-dissimilar-seed6");
      // Seeds never share a training folder.
      expect(existsSync(join(out, "dissimilar", "phase1", "model.safetensors"))).toBe(true);
      expect(existsSync(join(out, "seed-6", "dissimilar", "phase1", "model.safetensors"))).toBe(true);

      const r = results!;
      const onDisk = JSON.parse(
        readFileSync(join(out, "report", "results.json"), "utf8"),
      ) as ExperimentResults;
      expect(onDisk.seeds).toEqual([5, 6]);
      expect(onDisk.summary).toBe(r.summary);
      expect(r.summary).toMatch(/How sure: 2 seeds \(5, 6\)/);
      const lora = r.strategies.find((s) => s.strategy === "LoRA")!;
      const baseline = r.strategies.find((s) => s.strategy === "baseline")!;
      expect(lora.per_seed.map((s) => s.seed)).toEqual([5, 6]);
      expect(lora.ci95.ea.n).toBe(2);
      const deltas = lora.per_seed.map((s) => s.delta.ea);
      expect(lora.delta.ea).toBeCloseTo((deltas[0]! + deltas[1]!) / 2, 12);
      expect(lora.ci95.ea.half_width).not.toBeNull();
      // Paired by seed: the per-seed difference of the deltas.
      const diffs = lora.per_seed.map((s, i) => s.delta.ea - baseline.per_seed[i]!.delta.ea);
      expect(lora.vs_baseline!.ea.mean).toBeCloseTo((diffs[0]! + diffs[1]!) / 2, 12);
      expect(baseline.vs_baseline).toBeUndefined();
      expect(r.pairs[0]!.phase1_per_seed.map((s) => s.seed)).toEqual([5, 6]);
      expect(r.spearman.n).toBe(1);
      expect(r.spearman.rho).toBeNull();

      // A second run reuses every unit of every seed.
      const before = logOf(out).length;
      await run();
      const again = logOf(out).slice(before);
      expect(again.filter((l) => l.status === "done" && l.step !== "report")).toEqual([]);
      expect(again.some((l) => l.step === "phase1-dissimilar-seed6" && l.status === "reused")).toBe(true);
    },
    STEP_TEST_TIMEOUT,
  );
});
