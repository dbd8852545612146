import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("des step", () => {
  it(
    "measures DES of the pair's data with the base model's encoder, once per input hash",
    async () => {
      const run = await tinyRun();
      await run.walkTo("des");
      const des = run.pair.des!;
      expect(des.des).toBeGreaterThan(-1);
      expect(des.des).toBeLessThanOrEqual(1);
      expect(des.model).toContain("base:init:tiny");
      const again = await tinyRun(["baseline"], run.dir);
      await again.walkTo("des");
      expect(again.pair.des).toEqual(des);
      expect(
        again
          .log()
          .filter((l) => l.step === "des-dissimilar")
          .map((l) => l.status),
      ).toEqual(["start", "done", "reused"]);
    },
    STEP_TEST_TIMEOUT,
  );
});
