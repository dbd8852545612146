import { describe, expect, it } from "vitest";
import type { GenerativeReplaySummary } from "./generative-replay.js";
import type { EnglishReplayManifest, GenerativeReplayManifest } from "./replay-files.js";
import {
  assertReplayFinished,
  assertTranslationFinished,
  describeSelection,
  replayShortfall,
} from "./replay-outcome.js";
import type { TranslateSummary } from "./translate-dataset.js";

const selection = (over: Partial<EnglishReplayManifest["selection"]> = {}) =>
  ({
    mode: "twins",
    modeReason: "shared parallel_id",
    seed: 0,
    ratio: 0.1,
    target: 10,
    selected: 10,
    shortfall: 0,
    phase2Size: 100,
    availableEnglish: 50,
    missingEnglish: 0,
    excluded: { total: 3 },
    ...over,
  }) as EnglishReplayManifest["selection"];

const summary = (over: Partial<GenerativeReplaySummary>) =>
  ({
    requested: 10,
    pending: 0,
    interrupted: false,
    failed: { total: 0, attempts: 0, byCode: {}, examples: [] },
    ...over,
  }) as GenerativeReplaySummary;

describe("what a replay run reports at its end", () => {
  it("names the mode and the target, and a shortfall on a second, loud line", () => {
    expect(describeSelection(selection())).toEqual([
      "replay: mode twins (shared parallel_id): sampling the English twins (shared parallel_id) of the Phase-2 records; target round(0.1 × |Phase 2| = 100) = 10",
    ]);
    const short = describeSelection(
      selection({ ratio: null, selected: 7, shortfall: 3, mode: "counterpart" }),
    );
    expect(short[0]).toMatch(/sampling the English counterpart dataset itself; target --count 10$/);
    expect(short[1]).toBe(
      "WARNING: replay is SHORT by 3 of 10: only 7 English candidates are left (50 found, 3 excluded as evaluation items)",
    );
  });

  it("a short GR run is a warning, one that kept nothing an error", () => {
    const output = { rejectsFile: "gr.rejects.jsonl", target: 10, tried: 12, shortfall: 4, accepted: 6 };
    const manifest = (accepted: number) =>
      ({ status: "short", output: { ...output, accepted } }) as unknown as GenerativeReplayManifest;
    expect(replayShortfall({ status: "complete" } as GenerativeReplayManifest)).toBeNull();
    expect(replayShortfall(manifest(6))).toMatch(
      /^replay is SHORT by 4 of 10: the quality filters rejected 6 of the 12/,
    );
    expect(() => replayShortfall(manifest(0))).toThrow(
      expect.objectContaining({ code: "REPLAY_NOTHING_ACCEPTED" }),
    );
  });

  it("an unfinished GR run is an exit-1 error naming why, and a finished one is not", () => {
    expect(() => assertReplayFinished(summary({}))).not.toThrow();
    expect(() => assertReplayFinished(summary({ interrupted: true, pending: 4 }))).toThrow(
      expect.objectContaining({ code: "REPLAY_INTERRUPTED", exitCode: 1 }),
    );
    expect(() =>
      assertReplayFinished(
        summary({ stoppedBy: { code: "OPENAI_BUDGET_EXHAUSTED", message: "budget spent" } }),
      ),
    ).toThrow(expect.objectContaining({ code: "OPENAI_BUDGET_EXHAUSTED" }));
    const failed = { total: 2, attempts: 4, byCode: { OPENAI_HTTP_500: 2 }, examples: [] };
    expect(() => assertReplayFinished(summary({ failed }))).toThrow(/2 items failed \(OPENAI_HTTP_500: 2\)/);
  });

  it("a translation with pairs pending is interrupted or incomplete (exit 1), and a finished one is not", () => {
    const run = (over: Partial<TranslateSummary>) =>
      ({ requested: 6, pending: 0, failed: 0, interrupted: false, ...over }) as TranslateSummary;
    expect(() => assertTranslationFinished(run({}))).not.toThrow();
    expect(() => assertTranslationFinished(run({ pending: 2, interrupted: true }))).toThrow(
      expect.objectContaining({ code: "TRANSLATE_INTERRUPTED", exitCode: 1 }),
    );
    expect(() => assertTranslationFinished(run({ pending: 1, failed: 1 }))).toThrow(
      "1 of 6 translations pending (1 failed in this run); rerun the same command to resume",
    );
  });
});
