import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { STEP_TEST_TIMEOUT, type TinyRun, tinyRun } from "../testing/tiny-run.js";

const reference = new URL("../../../../tools/reference/mpd.py", import.meta.url).pathname;

// The paper's MPD: one extra training (base + the Phase-2 data both pairs share), then Definition 2.
describe("phase2-only and paper-mpd steps (analysis.paper_mpd)", () => {
  let run: TinyRun;
  beforeAll(async () => {
    run = await tinyRun(["baseline"]);
    run.ctx.experiment.analysis.paper_mpd = true;
    await run.walkTo("paper-mpd");
  }, STEP_TEST_TIMEOUT);

  it(
    "trains the base on the shared Phase-2 data once and gives every pair that model as its reference",
    () => {
      const references = new Set(run.state.pairs.map((p) => p.phase2Only?.dir));
      expect(references.size).toBe(1);
      const [dir] = [...references];
      expect(existsSync(join(dir!, "model.safetensors"))).toBe(true);
      const trained = run.log().filter((l) => l.step.startsWith("phase2-only-") && l.status === "done");
      expect(trained).toHaveLength(1);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "each Phase-1 model's MPD equals a float64 numpy Definition 2, normalised by the largest",
    () => {
      const pairs = run.state.pairs;
      const out = execFileSync("/usr/bin/python3", [
        reference,
        "compare",
        pairs[0]!.phase2Only!.dir,
        ...pairs.map((p) => p.phase1!.dir),
      ]).toString();
      const numpy = JSON.parse(out) as { mpd: Record<string, number>; normalized: Record<string, number> };
      for (const pair of pairs) {
        const want = numpy.mpd[pair.phase1!.dir]!;
        expect(Math.abs(pair.paperMpd!.mpd - want) / want).toBeLessThan(1e-5);
        expect(pair.paperMpd!.normalized).toBeCloseTo(numpy.normalized[pair.phase1!.dir]!, 6);
      }
      expect(Math.max(...pairs.map((p) => p.paperMpd!.normalized))).toBe(1);
    },
    STEP_TEST_TIMEOUT,
  );
});
