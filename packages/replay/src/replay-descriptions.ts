import { formatTable } from "@cftkit/core";
import type { GenerativeReplaySummary } from "./generative-replay.js";
import type { EnglishReplayManifest, MixManifest } from "./replay-files.js";
import type { TranslateSummary } from "./translate-dataset.js";

/**
 * The replay runs' results in words, as `cftkit replay er|gr|mix` and `cftkit data translate` print them
 * without --json (plain text lines).
 */

/** English replay: how the items were chosen and how many. */
export function describeEnglishReplay(manifest: Pick<EnglishReplayManifest, "selection">): string[] {
  const s = manifest.selection;
  return formatTable(
    ["english replay", "value"],
    [
      ["mode", s.mode],
      ["phase-2 size", s.phase2Size ?? "none"],
      ["target", s.target],
      ["selected", s.selected],
      ["excluded (eval)", s.excluded.total],
      ["shortfall", s.shortfall],
      ["seed", s.seed],
    ],
  );
}

/** Generative replay: what was asked, kept, rejected (per reason), failed and pending; then the output file. */
export function describeGenerativeReplay(
  summary: Pick<
    GenerativeReplaySummary,
    "out" | "requested" | "accepted" | "rejected" | "failed" | "pending" | "resumed" | "thisRun"
  >,
): string[] {
  const rows: (string | number)[][] = [
    ["requested", summary.requested],
    ["accepted", summary.accepted],
    ...Object.entries(summary.rejected.byReason).map(([k, v]) => [`rejected: ${k}`, v]),
    ["failed (items)", summary.failed.total],
    ["failed generations (this run)", summary.failed.attempts],
    ["pending", summary.pending],
    ["resumed (already done)", summary.resumed.accepted + summary.resumed.rejected],
    ["this run: items/s", summary.thisRun.itemsPerSecond.toFixed(2)],
  ];
  return [...formatTable(["generative replay", "count"], rows), summary.out];
}

/** A replay mix: rows from Phase 2 and from replay, the total, and rows per language. */
export function describeReplayMix(manifest: Pick<MixManifest, "counts">): string[] {
  const { byOrigin, byLanguage, total } = manifest.counts;
  return formatTable(
    ["mixed", "rows"],
    [
      ["phase 2", byOrigin.phase2],
      ["replay", byOrigin.replay],
      ["total", total],
      ...Object.entries(byLanguage).map(([k, v]) => [`language ${k}`, v]),
    ],
  );
}

/** A translation run: accepted, rejected, failed and pending pairs per target language. */
export function describeTranslation(summary: Pick<TranslateSummary, "byLanguage">): string[] {
  const rows = Object.entries(summary.byLanguage).map(([l, c]) => [
    l,
    c.accepted,
    c.rejected,
    c.failed,
    c.pending,
  ]);
  return formatTable(["language", "accepted", "rejected", "failed", "pending"], rows);
}
