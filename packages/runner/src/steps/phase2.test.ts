import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("phase2 step", () => {
  it(
    "trains one run per strategy from the Phase-1 model, with the catalogue's adapter and freeze",
    async () => {
      const run = await tinyRun(["baseline", "LF_H2", "LoRA"]);
      await run.walkTo("phase2");
      const runs = run.pair.phase2;
      expect(runs.map((r) => r.strategy)).toEqual(["baseline", "LF_H2", "LoRA"]);
      for (const r of runs) {
        expect(existsSync(join(r.model.dir, "config.json"))).toBe(true);
        expect(r.plan.base_model).toBe(run.pair.phase1!.dir);
        expect(r.training.steps).toBe(2);
      }
      expect(runs.find((r) => r.strategy === "LoRA")!.plan.lora).toBeDefined();
      expect(
        runs.find((r) => r.strategy === "LF_H2")!.plan.freeze!.unfrozen_parameters!.length,
      ).toBeGreaterThan(0);
      expect(new Set(runs.map((r) => r.model.key)).size).toBe(3);
    },
    STEP_TEST_TIMEOUT,
  );
});
