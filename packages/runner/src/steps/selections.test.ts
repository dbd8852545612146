import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("selections step", () => {
  it(
    "writes one freeze selection per freezing strategy of the catalogue, from the Phase-1 model",
    async () => {
      const run = await tinyRun(["baseline", "LF_H1", "LF_H2", "Spectrum"]);
      await run.walkTo("selections");
      const { selections } = run.pair;
      expect(Object.keys(selections).sort()).toEqual(["LF_H1", "LF_H2", "Spectrum"]);
      for (const s of Object.values(selections)) {
        expect(s.frozen.length).toBeGreaterThan(0);
        expect(readFileSync(s.path, "utf8")).toContain("unfrozen_parameters");
      }
      // lf_layers = 1: one layer per q/k/v type for the layer heuristics.
      expect(selections.LF_H2!.frozen).toHaveLength(3);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "has nothing to do for strategies that do not freeze",
    async () => {
      const run = await tinyRun(["baseline", "LoRA"]);
      const { selectionsStep } = await import("./selections.js");
      expect(await selectionsStep.units(run.ctx, run.state)).toEqual([]);
    },
    STEP_TEST_TIMEOUT,
  );
});
