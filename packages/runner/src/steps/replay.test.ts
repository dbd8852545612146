import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

const rows = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim()).length;

describe("replay step", () => {
  it(
    "mixes an English (ER) and a generative (GR) buffer into Phase 2 at the catalogue's ratios",
    async () => {
      const run = await tinyRun(["baseline", "ER_10", "GR_10"]);
      await run.walkTo("replay");
      const phase2Rows = rows(`${run.dir}/data/phase2.records.jsonl`);
      const { ER_10, GR_10 } = run.pair.replay;
      // 10 % of 10 Phase-2 records, rounded: one replayed row each (GR keeps every non-empty answer here).
      expect(rows(ER_10!.path)).toBe(phase2Rows + 1);
      expect(rows(GR_10!.path)).toBeGreaterThanOrEqual(phase2Rows);
      expect(rows(GR_10!.path)).toBeLessThanOrEqual(phase2Rows + 1);
      expect(ER_10!.path).not.toBe(GR_10!.path);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "refuses replay strategies without replay sources, naming the setting",
    async () => {
      const run = await tinyRun(["baseline", "ER_10"]);
      run.ctx.experiment.replay_sources = {};
      const { replayStep } = await import("./replay.js");
      await expect(replayStep.units(run.ctx, run.state)).rejects.toThrow(/replay_sources\.dissimilar/);
    },
    STEP_TEST_TIMEOUT,
  );
});
