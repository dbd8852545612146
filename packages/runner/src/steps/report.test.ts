import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentResults } from "../report/experiment-results.js";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("report step", () => {
  it(
    "writes results.json, report.md and index.html, keeping the profile and notes the experiment records",
    async () => {
      const run = await tinyRun(["baseline"]);
      await run.walkTo("report");
      for (const f of ["results.json", "report.md", "index.html"])
        expect(existsSync(join(run.ctx.reportDir, f))).toBe(true);
      const results = JSON.parse(
        readFileSync(join(run.ctx.reportDir, "results.json"), "utf8"),
      ) as ExperimentResults;
      expect(results.profile).toBe("test");
      expect(results.notes.length).toBeGreaterThan(0);
      expect(results.strategies.map((s) => s.strategy)).toEqual(["baseline"]);
      expect(results.seconds).toBeGreaterThan(0);

      // A second walk reuses every step, and the report still says how long the run took and what it was.
      const again = await tinyRun(["baseline"], run.dir);
      await again.walkTo("report");
      const rerun = JSON.parse(
        readFileSync(join(run.ctx.reportDir, "results.json"), "utf8"),
      ) as ExperimentResults;
      expect(rerun.profile).toBe("test");
      expect(rerun.notes).toEqual(results.notes);
      expect(rerun.seconds).toBeCloseTo(results.seconds, 6);
      expect(rerun.strategies[0]!.phase2.tasks).toEqual(results.strategies[0]!.phase2.tasks);
    },
    STEP_TEST_TIMEOUT,
  );
});
