import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { afterAll, describe, expect, it } from "vitest";
import { describeQuickstart, runQuickstart } from "./quickstart-document.js";
import { QUICKSTART_PROFILE_NAMES, QUICKSTART_PROFILES } from "./quickstart-profile.js";
import { quickstartSettingsSchema } from "./quickstart-settings.js";
import type { ExperimentResults } from "./report/experiment-results.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-quickstart-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quickstart settings", () => {
  it("default to the default profile, seed 0, runs/quickstart; the profiles are the runner's own", () => {
    expect(quickstartSettingsSchema.parse({})).toEqual({
      out: "runs/quickstart",
      profile: "default",
      seed: 0,
    });
    expect([...QUICKSTART_PROFILE_NAMES]).toEqual(Object.keys(QUICKSTART_PROFILES));
    expect(quickstartSettingsSchema.parse({ profile: "fast" }).profile).toBe("fast");
  });

  it("an unknown profile is CLI_BAD_PROFILE, before anything is written", async () => {
    const out = join(dir, "never");
    await expect(runQuickstart({ out, profile: "huge", progress: silentProgress })).rejects.toMatchObject({
      code: "CLI_BAD_PROFILE",
      message: '--profile must be fast, default or full, got "huge"',
    });
    expect(existsSync(out)).toBe(false);
  });
});

describe("describeQuickstart", () => {
  it("per pair its DES and Phase-1 English loss, each strategy's losses, deltas and abilities; then the report files", () => {
    const scores = { ea: 0.5, ma: 0.25, overall: 0.375, english_loss: 2, multilingual_loss: 3 };
    const results = {
      pairs: [
        { name: "similar", phase1_data: "xquad-en", phase2_data: "xquad-11", des: 0.9, phase1: scores },
      ],
      strategies: [
        {
          pair: "similar",
          strategy: "baseline",
          phase2: { ...scores, english_loss: 2.5 },
          delta: { english_loss: 0.5, multilingual_loss: -0.25 },
        },
      ],
    } as unknown as ExperimentResults;
    const doc = { report: "/q/report/index.html", experiment: "/q/experiment.yaml", results };
    expect(describeQuickstart(doc).split("\n")).toEqual([
      "",
      "similar: xquad-en → xquad-11  (DES 0.900; English loss after Phase 1 2.000)",
      "  baseline  English loss 2.500 (+0.500)  multilingual loss 3.000 (−0.250)  EA 0.500 MA 0.250 Overall 0.375",
      "",
      "report: /q/report/index.html",
      "        /q/report/report.md",
      "        /q/report/results.json",
    ]);
  });
});
