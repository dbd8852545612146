import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { readRunExperiment } from "./experiment-schema.js";
import { runExperiment } from "./run-experiment.js";
import { STEP_TEST_TIMEOUT, tinyRun } from "./testing/tiny-run.js";

const TRAINING_STEPS = ["des", "phase1", "selections", "replay", "phase2"];

async function run(folder: string, selection: { only?: string[]; from?: string }) {
  const experimentPath = join(folder, "experiment.yaml");
  const experiment = await readRunExperiment(experimentPath);
  experiment.evaluation.qa_max_new_tokens = 4;
  return runExperiment({ experiment, experimentPath, progress: silentProgress, quiet: true, ...selection });
}

const logOf = (folder: string) =>
  readFileSync(join(folder, "run.log"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { step: string; status: string });

describe("a run split across machines", () => {
  it(
    "trains in folder A, is copied to another absolute path B (A deleted), and finishes there reusing every finished step",
    async () => {
      const parent = mkdtempSync(join(tmpdir(), "cftkit-split-"));
      const a = join(parent, "gpu-node", "run");
      const b = join(parent, "laptop", "copied", "run");
      await tinyRun(["baseline", "LF_H2", "ER_10"], a);
      await run(a, { only: TRAINING_STEPS });
      const trained = logOf(a)
        .filter((l) => l.status === "done")
        .map((l) => l.step);
      expect(trained).toEqual(expect.arrayContaining(["phase1-dissimilar", "phase2-dissimilar-LF_H2"]));

      const linesBefore = logOf(a).length;
      cpSync(a, b, { recursive: true });
      rmSync(join(parent, "gpu-node"), { recursive: true, force: true }); // nothing may still point at A
      const outcome = await run(b, { from: "evaluate" });
      const log = logOf(b).slice(linesBefore);
      // Every unit the GPU node finished is reused, none runs again.
      const again = log.filter((l) => l.status === "start").map((l) => l.step);
      for (const step of trained) {
        expect(again, step).not.toContain(step);
        expect(
          log.some((l) => l.step === step && l.status === "reused"),
          step,
        ).toBe(true);
      }
      expect(again).toEqual(expect.arrayContaining(["evaluate-dissimilar-LF_H2", "report"]));
      expect(outcome.results?.strategies.map((s) => s.strategy).sort()).toEqual([
        "ER_10",
        "LF_H2",
        "baseline",
      ]);
      const manifest = JSON.parse(readFileSync(join(b, "manifest.json"), "utf8"));
      expect(manifest.experiment).toBe("experiment.yaml");
      expect(manifest.report.results).toBe(join("report", "results.json"));
      rmSync(parent, { recursive: true, force: true });
    },
    STEP_TEST_TIMEOUT,
  );
});
