import { readActivationFile } from "@cftkit/similarity";
import { beforeAll, describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, type TinyRun, tinyRun } from "../testing/tiny-run.js";

// The analysis steps share one tiny run (Phase 1 and two Phase-2 models), each checked on its own.
describe("analysis steps (mpd, hidden-states, drift, projection)", () => {
  let run: TinyRun;
  let pair: TinyRun["pair"];
  beforeAll(async () => {
    run = await tinyRun(["baseline", "LoRA"]);
    await run.walkTo("projection");
    pair = run.pair;
  }, STEP_TEST_TIMEOUT);

  it(
    "mpd: each Phase-2 model's distance from Phase 1, normalised by the pair's largest",
    () => {
      expect(pair.mpd.baseline!.mpd).toBeGreaterThan(0);
      expect(Math.max(pair.mpd.baseline!.normalized, pair.mpd.LoRA!.normalized)).toBe(1);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "hidden-states: one activation file per model, one row per drift prompt and a tensor per layer",
    async () => {
      expect(Object.keys(pair.activations).sort()).toEqual(["LoRA", "baseline", "phase1"]);
      const file = await readActivationFile(pair.activations.phase1!.file);
      expect(file.layers).toHaveLength(3); // embeddings + 2 layers of the tiny model
      expect(file.layers[0]!.rows).toBe(run.ctx.drift.prompts.length);
      expect(file.metadata.format).toBe("cftkit-activations");
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "drift: a covariance shift per layer for each Phase-2 model",
    () => {
      expect(pair.drift.baseline!.map((d) => d.layer)).toEqual([0, 1, 2]);
      expect(pair.drift.baseline!.some((d) => d.spectral > 0)).toBe(true);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "projection: one 2-D point per layer of every model",
    () => {
      const points = run.state.projection.points;
      expect(points).toHaveLength(9);
      expect(new Set(points.map((p) => p.model))).toEqual(
        new Set(["dissimilar phase 1", "dissimilar baseline", "dissimilar LoRA"]),
      );
    },
    STEP_TEST_TIMEOUT,
  );
});
