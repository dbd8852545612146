import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "./load-dataset.js";
import { QA_TEMPLATES } from "./qa-templates.js";
import { datasetStats } from "./stats.js";
import { dataPath, repoRoot } from "./test-helpers.js";

describe("dataset stats", () => {
  it("word-length statistics match an independent numpy computation (XQuAD de and th)", async () => {
    for (const lang of ["de", "th"]) {
      const file = dataPath(`xquad/xquad.${lang}.json`);
      const stats = await datasetStats(await loadDataset(file));
      const r = spawnSync(
        "python3",
        [join(repoRoot(), "tools/reference/length_stats.py"), file, QA_TEMPLATES[lang]!],
        {
          encoding: "utf8",
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const ref = JSON.parse(r.stdout);
      expect(stats.rows).toBe(ref.rows);
      expect(stats.languages).toEqual({ [lang]: 1190 });
      for (const [ours, theirs] of [
        [stats.promptLength, ref.prompt],
        [stats.outputLength, ref.output],
      ]) {
        expect([ours.min, ours.max, ours.p50, ours.p95]).toEqual([
          theirs.min,
          theirs.max,
          theirs.p50,
          theirs.p95,
        ]);
        expect(ours.mean).toBeCloseTo(theirs.mean, 9);
      }
    }
  });
});
