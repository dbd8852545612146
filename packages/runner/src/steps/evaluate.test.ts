import { describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";

describe("evaluate step", () => {
  it(
    "scores Phase 1 and every Phase-2 model; EA/MA/Overall come from the one aggregation",
    async () => {
      const run = await tinyRun(["baseline"]);
      await run.walkTo("evaluate");
      const { scores } = run.pair;
      expect(Object.keys(scores).sort()).toEqual(["baseline", "phase1"]);
      const s = scores.phase1!;
      expect(s.task_abilities["xquad_f1/en"]).toBe("EA");
      expect(s.task_abilities["heldout_likelihood/alpaca/en"]).toBe("EA");
      expect(s.task_abilities["heldout_likelihood/xquad/de"]).toBe("MA");
      expect(s.task_abilities["response_rougeL/alpaca/en"]).toBe("EA");
      // EA by hand: the mean of the four English families (each has one task).
      const ea =
        (s.tasks["heldout_likelihood/xquad/en"]! +
          s.tasks["heldout_likelihood/alpaca/en"]! +
          s.tasks["xquad_f1/en"]! +
          s.tasks["response_rougeL/alpaca/en"]!) /
        4;
      expect(s.ea).toBeCloseTo(ea, 12);
      // MA by hand: the mean over the two multilingual families of their mean over languages.
      const family = (prefix: string) => {
        const v = Object.entries(s.tasks)
          .filter(([k]) => k.startsWith(prefix) && !k.endsWith("/en"))
          .map(([, x]) => x);
        return v.reduce((a, b) => a + b, 0) / v.length;
      };
      expect(s.ma).toBeCloseTo((family("heldout_likelihood/xquad/") + family("xquad_f1/")) / 2, 12);
      expect(s.overall).toBeCloseTo((s.ea + s.ma) / 2, 12);
      expect(Number.isFinite(s.english_loss) && Number.isFinite(s.multilingual_loss)).toBe(true);
    },
    STEP_TEST_TIMEOUT,
  );
});
