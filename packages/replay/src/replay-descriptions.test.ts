import { describe, expect, it } from "vitest";
import {
  describeEnglishReplay,
  describeGenerativeReplay,
  describeReplayMix,
  describeTranslation,
} from "./replay-descriptions.js";

describe("replay descriptions", () => {
  it("English replay: the mode, sizes, exclusions, shortfall and seed", () => {
    const selection = {
      mode: "counterpart" as const,
      modeReason: "no shared ids",
      seed: 4,
      ratio: null,
      target: 10,
      selected: 8,
      shortfall: 2,
      phase2Size: null,
      availableEnglish: 9,
      missingEnglish: 0,
      excluded: { total: 1, byId: 1, byParallelId: 0, byInstruction: 0 },
    };
    expect(describeEnglishReplay({ selection })).toEqual([
      "english replay   value",
      "---------------  -----------",
      "mode             counterpart",
      "phase-2 size     none",
      "target           10",
      "selected         8",
      "excluded (eval)  1",
      "shortfall        2",
      "seed             4",
    ]);
  });

  it("generative replay: counts with each rejection reason, items/s, then the output file", () => {
    const summary = {
      out: "gr/replay.jsonl",
      requested: 5,
      accepted: 3,
      rejected: { total: 1, byReason: { language: 1 } },
      failed: { total: 1, attempts: 2, byCode: {}, examples: [] },
      pending: 0,
      resumed: { accepted: 1, rejected: 0, tornBytes: 0, foreignRecords: 0 },
      thisRun: { accepted: 2, rejected: 1, failed: 1, elapsedMs: 1000, itemsPerSecond: 4 },
    };
    expect(describeGenerativeReplay(summary)).toEqual([
      "generative replay              count",
      "-----------------------------  -----",
      "requested                      5",
      "accepted                       3",
      "rejected: language             1",
      "failed (items)                 1",
      "failed generations (this run)  2",
      "pending                        0",
      "resumed (already done)         1",
      "this run: items/s              4.00",
      "gr/replay.jsonl",
    ]);
  });

  it("mix: rows by origin, the total and rows per language", () => {
    const counts = {
      total: 12,
      byOrigin: { phase2: 10, replay: 2 },
      byLanguage: { de: 10, en: 2 },
      bySource: {},
      byOriginLanguage: { phase2: {}, replay: {} },
    };
    expect(describeReplayMix({ counts })).toEqual([
      "mixed        rows",
      "-----------  ----",
      "phase 2      10",
      "replay       2",
      "total        12",
      "language de  10",
      "language en  2",
    ]);
  });

  it("translation: pairs per target language", () => {
    const byLanguage = { fr: { accepted: 3, rejected: 1, failed: 0, pending: 2 } };
    expect(describeTranslation({ byLanguage })).toEqual([
      "language  accepted  rejected  failed  pending",
      "--------  --------  --------  ------  -------",
      "fr        3         1         0       2",
    ]);
  });
});
