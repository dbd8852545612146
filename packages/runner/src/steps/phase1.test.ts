import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("phase1 step", () => {
  it(
    "trains the pair's Phase-1 plan into a model folder and records its loss curve",
    async () => {
      const run = await tinyRun();
      await run.walkTo("phase1");
      const { phase1, phase1Training } = run.pair;
      expect(existsSync(join(phase1!.dir, "model.safetensors"))).toBe(true);
      expect(phase1!.key).toMatch(/^[0-9a-f]{12}$/);
      expect(phase1Training!.steps).toBe(2);
      expect(phase1Training!.curve.map((c) => c.step)).toEqual([1, 2]);
      expect(Number.isFinite(phase1Training!.final_loss)).toBe(true);
    },
    STEP_TEST_TIMEOUT,
  );
});
