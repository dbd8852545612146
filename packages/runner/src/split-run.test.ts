import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { readRunExperiment } from "./experiment-schema.js";
import { runExperiment } from "./run-experiment.js";
import { STEP_TEST_TIMEOUT, tinyRun } from "./testing/tiny-run.js";

async function run(folder: string, selection: { only?: string[]; from?: string }) {
  const experimentPath = join(folder, "experiment.yaml");
  const experiment = await readRunExperiment(experimentPath);
  experiment.evaluation.qa_max_new_tokens = 4;
  return runExperiment({ experiment, experimentPath, progress: silentProgress, quiet: true, ...selection });
}

const logOf = (folder: string) =>
  existsSync(join(folder, "run.log"))
    ? readFileSync(join(folder, "run.log"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { step: string; status: string })
    : [];

/** Copy a run folder to another absolute path and delete the original: nothing may still point at it. */
function move(from: string, to: string, filter: (path: string) => boolean = () => true) {
  const lines = logOf(from).length;
  cpSync(from, to, { recursive: true, filter });
  rmSync(from, { recursive: true, force: true });
  return lines;
}

/** Run a part of the step table in `folder`; the units done before must be reused, none run again. */
async function finishPart(folder: string, before: string[], selection: { only?: string[]; from?: string }) {
  const skip = logOf(folder).length;
  await run(folder, selection);
  const log = logOf(folder).slice(skip);
  const started = log.filter((l) => l.status === "start").map((l) => l.step);
  for (const step of before) {
    expect(started, step).not.toContain(step);
    expect(
      log.some((l) => l.step === step && l.status === "reused"),
      step,
    ).toBe(true);
  }
  return log.filter((l) => l.status === "done").map((l) => l.step);
}

describe("a run split across machines", () => {
  it(
    "trains in folder A, evaluates in a copy at another path B, and finishes the analysis in a copy C without the model folders",
    async () => {
      const parent = mkdtempSync(join(tmpdir(), "cftkit-split-"));
      const a = join(parent, "gpu-node", "run");
      const b = join(parent, "gpu-node-2", "scratch", "run");
      const c = join(parent, "laptop", "run");
      await tinyRun(["baseline", "LF_H2", "ER_10"], a);

      // GPU node: the training steps.
      const trained = await finishPart(a, [], { only: ["des", "phase1", "selections", "replay", "phase2"] });
      expect(trained).toEqual(expect.arrayContaining(["phase1-dissimilar", "phase2-dissimilar-LF_H2"]));

      // Another GPU node (another absolute path): what reads the models' weights.
      move(a, b);
      const weighed = await finishPart(b, trained, {
        only: ["phase2-only", "evaluate", "mpd", "paper-mpd", "hidden-states"],
      });
      expect(weighed).toEqual(
        expect.arrayContaining(["evaluate-dissimilar-LF_H2", "hidden-dissimilar-phase1"]),
      );

      // A laptop: the run folder without the model folders (weights), then the rest.
      move(b, c, (path) => path !== join(b, "dissimilar"));
      expect(existsSync(join(c, "dissimilar"))).toBe(false);
      const analysed = await finishPart(c, [...trained, ...weighed], { from: "drift" });
      expect(analysed).toEqual(expect.arrayContaining(["drift-dissimilar-LF_H2", "projection", "report"]));

      const results = JSON.parse(readFileSync(join(c, "report", "results.json"), "utf8"));
      expect(results.strategies.map((s: { strategy: string }) => s.strategy).sort()).toEqual([
        "ER_10",
        "LF_H2",
        "baseline",
      ]);
      const manifest = JSON.parse(readFileSync(join(c, "manifest.json"), "utf8"));
      expect(manifest.experiment).toBe("experiment.yaml");
      expect(manifest.report.results).toBe(join("report", "results.json"));
      rmSync(parent, { recursive: true, force: true });
    },
    STEP_TEST_TIMEOUT,
  );
});
