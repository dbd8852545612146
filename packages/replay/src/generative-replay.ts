import { setMaxListeners } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import {
  CftkitError,
  type CftkitErrorCode,
  isCftkitError,
  type ProgressReporter,
  silentProgress,
  stableStringify,
  writeJsonAtomic,
} from "@cftkit/core";
import { AppendOnlyJournal, acquireRunLock } from "./append-only-journal.js";
import type { GenerationResult, GeneratorDescription, ReplayGenerator } from "./generators.js";
import { judgeResponse, type QualityFilterOptions } from "./quality-filters.js";
import type {
  GeneratedRecord,
  GenerationItem,
  GenerationProvenance,
  QualityRejectReason,
  RejectedRecord,
} from "./replay-types.js";

export interface GenerativeReplayOptions {
  items: GenerationItem[];
  generator: ReplayGenerator;
  /** The accepted records (append-only JSONL). */
  out: string;
  /** The rejected generations. Default: `out` with `.rejects.jsonl` instead of `.jsonl`. */
  rejectsOut?: string;
  filters?: QualityFilterOptions;
  /** fsync after this many records… Default 32. */
  fsyncEvery?: number;
  /** …or after this long. Default 1000 ms. */
  fsyncIntervalMs?: number;
  /** Times an item that failed (the generator gave up on it) is queued again in this run. Default 1. */
  itemRetries?: number;
  /** Stop the run after this many failures in a row (the server is down, the model name is wrong). Default 25. */
  maxConsecutiveFailures?: number;
  /** Resume even though the generator or filters differ from the run that wrote `out`. Default false. */
  allowSettingsChange?: boolean;
  /** Abort (Ctrl-C): stop dispatching, cancel what is in flight, flush, fsync and return `interrupted: true`. */
  signal?: AbortSignal;
  progress?: ProgressReporter;
}

export interface GenerativeReplaySummary {
  out: string;
  rejectsOut: string;
  /** Items asked for (= accepted + rejected + failed + pending). */
  requested: number;
  accepted: number;
  rejected: { total: number; byReason: Record<string, number> };
  /**
   * Items that failed in this run (they stay pending for the next run), including those waiting for a
   * retry when the run stopped; `attempts` counts every failed generation (what "N failed in a row" counts).
   */
  failed: {
    total: number;
    attempts: number;
    byCode: Record<string, number>;
    examples: { id: string; code: string; message: string }[];
  };
  /** Items neither finished nor failed (the run was interrupted or stopped). */
  pending: number;
  /** What was already in the files when this run started. */
  resumed: { accepted: number; rejected: number; tornBytes: number; foreignRecords: number };
  thisRun: { accepted: number; rejected: number; failed: number; elapsedMs: number; itemsPerSecond: number };
  interrupted: boolean;
  /** Set when the run stopped early on its own (budget exhausted, too many failures in a row). */
  stoppedBy?: { code: CftkitErrorCode; message: string };
  generator: GeneratorDescription;
  generatorStats: Record<string, unknown>;
  filters: Record<string, unknown>;
}

/** Default rejects path: `gr.jsonl` → `gr.rejects.jsonl`. */
export function rejectsPathFor(out: string): string {
  return out.endsWith(".jsonl") ? `${out.slice(0, -".jsonl".length)}.rejects.jsonl` : `${out}.rejects.jsonl`;
}

const FATAL_CODES = new Set(["OPENAI_BUDGET_EXHAUSTED"]);

/**
 * Generate responses for `items` and append them to `out` (accepted) and `rejectsOut` (rejected by the
 * quality filters), one record per finished item. Re-running with the same arguments resumes: finished ids
 * (in either file) are skipped, a torn last line is cut away, nothing is written twice.
 */
export async function runGenerativeReplay(
  options: GenerativeReplayOptions,
): Promise<GenerativeReplaySummary> {
  const { items, generator, out } = options;
  const rejectsOut = options.rejectsOut ?? rejectsPathFor(out);
  const filters = options.filters ?? {};
  const progress = options.progress ?? silentProgress;
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();

  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) {
      throw new CftkitError(
        "REPLAY_DUPLICATE_ITEM",
        `item id ${item.id} appears twice in the generation list`,
      );
    }
    seen.add(item.id);
  }

  const release = acquireRunLock(out);
  let accepted: AppendOnlyJournal | undefined;
  let rejects: AppendOnlyJournal | undefined;
  try {
    await checkRunSettings(out, generator.description, filters, options.allowSettingsChange ?? false);
    const byReason: Record<string, number> = {};
    let resumedRejected = 0;
    let foreign = 0;
    const journalOptions = { fsyncEvery: options.fsyncEvery, fsyncIntervalMs: options.fsyncIntervalMs };
    const a = await AppendOnlyJournal.open(out, {
      ...journalOptions,
      onExisting: (r) => {
        if (!seen.has(r.id as string)) foreign++;
      },
    });
    accepted = a.journal;
    const r = await AppendOnlyJournal.open(rejectsOut, {
      ...journalOptions,
      onExisting: (rec) => {
        if (!seen.has(rec.id as string)) {
          foreign++;
          return;
        }
        if (a.journal.has(rec.id as string)) return; // cannot happen with cftkit's writes; never double count
        resumedRejected++;
        const reason = String(rec.reason);
        byReason[reason] = (byReason[reason] ?? 0) + 1;
      },
    });
    rejects = r.journal;
    const acceptedJournal = accepted;
    const rejectsJournal = rejects;
    const isDone = (id: string) => acceptedJournal.has(id) || rejectsJournal.has(id);
    let resumedAccepted = 0;
    for (const item of items) if (acceptedJournal.has(item.id)) resumedAccepted++;

    const queue: { item: GenerationItem; tries: number }[] = items
      .filter((item) => !isDone(item.id))
      .map((item) => ({ item, tries: 0 }));
    const itemRetries = options.itemRetries ?? 1;
    const maxConsecutive = options.maxConsecutiveFailures ?? 25;
    const failedIds = new Map<string, { code: string; message: string }>();
    // Items that failed and were queued for another try: failed too if the run ends before that try.
    const awaitingRetry = new Map<string, { code: string; message: string }>();
    let failedAttempts = 0;
    const run = { accepted: 0, rejected: 0 };
    let consecutiveFailures = 0;
    let stoppedBy: { code: CftkitErrorCode; message: string } | undefined;
    const stop = new AbortController();
    setMaxListeners(0, stop.signal); // every request in flight listens to it
    const onOuterAbort = () => stop.abort(signal.reason);
    if (signal.aborted) onOuterAbort();
    else signal.addEventListener("abort", onOuterAbort, { once: true });

    const total = items.length;
    const doneCount = () => resumedAccepted + resumedRejected + run.accepted + run.rejected;
    const report = () =>
      progress.update({
        done: doneCount(),
        total,
        values: {
          accepted: resumedAccepted + run.accepted,
          rejected: resumedRejected + run.rejected,
          failed: failedIds.size,
          ...numericStats(generator.stats()),
        },
      });
    progress.start("generative replay", total);
    report();

    const handle = (item: GenerationItem, result: GenerationResult, tries: number) => {
      if (isDone(item.id)) return; // a duplicate result can never be written
      if (!result.ok) {
        const code = isCftkitError(result.error) ? result.error.code : "GENERATION_FAILED";
        if (code === "OPENAI_ABORTED" || stop.signal.aborted) return; // interrupted, stays pending
        const message = result.error instanceof Error ? result.error.message : String(result.error);
        failedAttempts++;
        awaitingRetry.delete(item.id);
        if (FATAL_CODES.has(code)) {
          stoppedBy ??= { code, message };
          failedIds.set(item.id, { code, message });
          stop.abort(new Error(code));
          return;
        }
        consecutiveFailures++;
        if (tries < itemRetries) {
          queue.push({ item, tries: tries + 1 });
          awaitingRetry.set(item.id, { code, message });
        } else failedIds.set(item.id, { code, message });
        if (consecutiveFailures >= maxConsecutive) {
          stoppedBy ??= {
            code: "REPLAY_TOO_MANY_FAILURES",
            message: `${consecutiveFailures} generations failed in a row; last: ${code}: ${message}`,
          };
          stop.abort(new Error("too many failures"));
        }
        return;
      }
      consecutiveFailures = 0;
      failedIds.delete(item.id);
      awaitingRetry.delete(item.id);
      const value = result.value;
      const provenance: GenerationProvenance = {
        ...generator.description,
        sampling: { ...generator.description.sampling, seed: value.seed },
        finishReason: value.finishReason,
        attempts: value.attempts + tries,
        generatedAt: new Date().toISOString(),
        ...(value.usage ? { usage: value.usage } : {}),
      };
      const verdict = judgeResponse(value.text, value.finishReason, filters);
      if (verdict.ok) {
        const rec = item.record;
        const record: GeneratedRecord = {
          id: item.id,
          language: rec.language,
          instruction: rec.instruction,
          ...(rec.input ? { input: rec.input } : {}),
          ...(rec.system ? { system: rec.system } : {}),
          output: value.text.trim(),
          source: `replay-gr:${rec.source}`,
          ...(rec.parallel_id !== undefined ? { parallel_id: rec.parallel_id } : {}),
          provenance,
        };
        acceptedJournal.append(record);
        run.accepted++;
      } else {
        const rejected: RejectedRecord = {
          id: item.id,
          reason: verdict.reason as QualityRejectReason,
          ...(verdict.detail ? { detail: verdict.detail } : {}),
          output: value.text,
          provenance,
        };
        rejectsJournal.append(rejected);
        run.rejected++;
        byReason[rejected.reason] = (byReason[rejected.reason] ?? 0) + 1;
      }
    };

    const worker = async () => {
      while (!stop.signal.aborted) {
        const batch = queue.splice(0, generator.batchSize);
        if (batch.length === 0) return;
        const results = await generator.generate(
          batch.map((b) => b.item),
          stop.signal,
        );
        for (let i = 0; i < batch.length; i++) {
          const b = batch[i]!;
          handle(
            b.item,
            results[i] ?? { ok: false, error: new Error("generator returned too few results") },
            b.tries,
          );
        }
        report();
      }
    };
    // Workers that find the queue empty end; retries pushed later are picked up by the survivors, so
    // keep one waiting loop until every worker is idle and the queue is empty.
    for (;;) {
      await Promise.all(Array.from({ length: Math.max(1, generator.concurrency) }, worker));
      if (queue.length === 0 || stop.signal.aborted) break;
    }
    signal.removeEventListener("abort", onOuterAbort);
    acceptedJournal.close();
    rejectsJournal.close();
    progress.stop();

    const acceptedTotal = resumedAccepted + run.accepted;
    const rejectedTotal = resumedRejected + run.rejected;
    for (const [id, f] of awaitingRetry) if (!isDone(id)) failedIds.set(id, f);
    const failedTotal = failedIds.size;
    const byCode: Record<string, number> = {};
    for (const f of failedIds.values()) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    const elapsedMs = Date.now() - started;
    return {
      out,
      rejectsOut,
      requested: total,
      accepted: acceptedTotal,
      rejected: { total: rejectedTotal, byReason },
      failed: {
        total: failedTotal,
        attempts: failedAttempts,
        byCode,
        examples: [...failedIds.entries()].slice(0, 10).map(([id, f]) => ({ id, ...f })),
      },
      pending: total - acceptedTotal - rejectedTotal - failedTotal,
      resumed: {
        accepted: resumedAccepted,
        rejected: resumedRejected,
        tornBytes: a.report.tornBytes + r.report.tornBytes,
        foreignRecords: foreign,
      },
      thisRun: {
        accepted: run.accepted,
        rejected: run.rejected,
        failed: failedTotal,
        elapsedMs,
        itemsPerSecond: elapsedMs > 0 ? ((run.accepted + run.rejected) * 1000) / elapsedMs : 0,
      },
      interrupted: signal.aborted,
      ...(stoppedBy ? { stoppedBy } : {}),
      generator: generator.description,
      generatorStats: generator.stats(),
      filters: serializableFilters(filters),
    };
  } finally {
    accepted?.close();
    rejects?.close();
    release();
  }
}

function numericStats(stats: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof stats.retries === "number") out.retries = stats.retries;
  if (typeof stats.requests === "number") out.requests = stats.requests;
  return out;
}

/** The settings a resumed run must share with the run that started the file (sampling, model, filters). */
async function checkRunSettings(
  out: string,
  description: GeneratorDescription,
  filters: QualityFilterOptions,
  allowChange: boolean,
): Promise<void> {
  const path = `${out}.settings.json`;
  const settings = {
    generator: description.generator,
    model: description.model,
    promptTemplate: description.promptTemplate,
    sampling: description.sampling,
    filters: serializableFilters(filters),
  };
  if (existsSync(path) && existsSync(out)) {
    const previous = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (stableStringify(previous) !== stableStringify(settings) && !allowChange) {
      throw new CftkitError(
        "REPLAY_SETTINGS_CHANGED",
        `${out} was started with other generation settings (${path}); resume with the same model, template, sampling and filters, or write to a new file`,
        { details: { previous, now: settings } },
      );
    }
  }
  // Written (atomically) before any record, so records never exist without their settings.
  await writeJsonAtomic(path, settings);
}

/** The filters as JSON (patterns as their source text). */
export function serializableFilters(filters: QualityFilterOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { ...filters };
  if (filters.refusalPatterns) out.refusalPatterns = filters.refusalPatterns.map(String);
  return out;
}
