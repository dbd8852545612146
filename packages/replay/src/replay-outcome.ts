import { CftkitError } from "@cftkit/core";
import type { GenerativeReplaySummary } from "./generative-replay.js";
import type { EnglishReplayManifest, GenerativeReplayManifest } from "./replay-files.js";
import type { TranslateSummary } from "./translate-dataset.js";

const RESUME = "resume with the same command (finished items are kept and skipped)";

/**
 * Why a generative-replay run that ended short of its target is short (the quality filters rejected the
 * rest), or null when it is not short; a run that kept nothing at all is an error.
 */
export function replayShortfall(manifest: GenerativeReplayManifest): string | null {
  if (manifest.status !== "short" || !manifest.output) return null;
  const o = manifest.output;
  const why = `the quality filters rejected ${o.tried - o.accepted} of the ${o.tried} candidates generated for (see ${o.rejectsFile}; --no-filter-* and --language none relax them)`;
  if (o.accepted === 0) {
    throw new CftkitError("REPLAY_NOTHING_ACCEPTED", `no replay record was kept: ${why}`);
  }
  return `replay is SHORT by ${o.shortfall} of ${o.target}: ${why}`;
}

/**
 * A run that did not finish every item is an error (exit 1) saying so: interrupted, stopped on its own
 * (budget, failures in a row) or with failed items; rerunning the same command resumes it.
 */
export function assertReplayFinished(summary: GenerativeReplaySummary): void {
  if (summary.interrupted) {
    throw new CftkitError(
      "REPLAY_INTERRUPTED",
      `interrupted with ${summary.pending} of ${summary.requested} items pending; ${RESUME}`,
      { exitCode: 1 },
    );
  }
  if (summary.stoppedBy) {
    throw new CftkitError(summary.stoppedBy.code, `${summary.stoppedBy.message}; ${RESUME}`, {
      exitCode: 1,
    });
  }
  if (summary.failed.total > 0) {
    const byCode = Object.entries(summary.failed.byCode)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    throw new CftkitError(
      "REPLAY_ITEMS_FAILED",
      `${summary.failed.total} items failed (${byCode}); ${RESUME} to retry them`,
      { exitCode: 1 },
    );
  }
}

/** Which mode chose the replayed items and how many were aimed for; a loud second line on a shortfall. */
export function describeSelection(selection: EnglishReplayManifest["selection"]): string[] {
  const size =
    selection.ratio === null
      ? `--count ${selection.target}`
      : `round(${selection.ratio} × |Phase 2| = ${selection.phase2Size}) = ${selection.target}`;
  const how =
    selection.mode === "twins"
      ? "the English twins (shared parallel_id) of the Phase-2 records"
      : "the English counterpart dataset itself";
  const lines = [`replay: mode ${selection.mode} (${selection.modeReason}): sampling ${how}; target ${size}`];
  if (selection.shortfall > 0) {
    lines.push(
      `WARNING: replay is SHORT by ${selection.shortfall} of ${selection.target}: only ${selection.selected} English candidates are left (${selection.availableEnglish} found, ${selection.excluded.total} excluded as evaluation items)`,
    );
  }
  return lines;
}

/** A translation run with pairs left pending (interrupted, or failed in this run) is an exit-1 error. */
export function assertTranslationFinished(summary: TranslateSummary): void {
  if (summary.pending === 0 && summary.failed === 0) return;
  throw new CftkitError(
    summary.interrupted ? "TRANSLATE_INTERRUPTED" : "TRANSLATE_INCOMPLETE",
    `${summary.pending} of ${summary.requested} translations pending (${summary.failed} failed in this run); rerun the same command to resume`,
    { exitCode: 1 },
  );
}
