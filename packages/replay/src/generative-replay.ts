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
import type {
  GenerationOutcome,
  GenerationResult,
  GeneratorDescription,
  ReplayGenerator,
} from "./generators.js";
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
  const signal = options.signal ?? new AbortController().signal;
  const started = Date.now();
  const ids = uniqueIds(items);
  const release = acquireRunLock(out);
  let journals: ReplayJournals | undefined;
  try {
    await checkRunSettings(out, generator.description, filters, options.allowSettingsChange ?? false);
    journals = await openJournals(out, rejectsOut, ids, options);
    const run = new ReplayRun(options, journals);
    const onOuterAbort = () => run.stop.abort(signal.reason);
    if (signal.aborted) onOuterAbort();
    else signal.addEventListener("abort", onOuterAbort, { once: true });
    await run.work(options.progress ?? silentProgress);
    signal.removeEventListener("abort", onOuterAbort);
    journals.accepted.close();
    journals.rejects.close();
    return {
      out,
      rejectsOut,
      ...run.counts(Date.now() - started),
      interrupted: signal.aborted,
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
      generator: generator.description,
      generatorStats: generator.stats(),
      filters: serializableFilters(filters),
    };
  } finally {
    journals?.accepted.close();
    journals?.rejects.close();
    release();
  }
}

function uniqueIds(items: GenerationItem[]): Set<string> {
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
  return seen;
}

/** The two output files, opened for appending, with what they already held. */
interface ReplayJournals {
  accepted: AppendOnlyJournal;
  rejects: AppendOnlyJournal;
  /** Rejections of this run's items already in the rejects file, by reason. */
  rejectedByReason: Record<string, number>;
  resumedRejected: number;
  /** Records of ids this run does not ask for. */
  foreign: number;
  tornBytes: number;
}

async function openJournals(
  out: string,
  rejectsOut: string,
  ids: Set<string>,
  options: GenerativeReplayOptions,
): Promise<ReplayJournals> {
  const journalOptions = { fsyncEvery: options.fsyncEvery, fsyncIntervalMs: options.fsyncIntervalMs };
  const found = { rejectedByReason: {} as Record<string, number>, resumedRejected: 0, foreign: 0 };
  const a = await AppendOnlyJournal.open(out, {
    ...journalOptions,
    onExisting: (rec) => {
      if (!ids.has(rec.id as string)) found.foreign++;
    },
  });
  try {
    const r = await AppendOnlyJournal.open(rejectsOut, {
      ...journalOptions,
      onExisting: (rec) => {
        if (!ids.has(rec.id as string)) {
          found.foreign++;
          return;
        }
        if (a.journal.has(rec.id as string)) return; // cannot happen with cftkit's writes; never double count
        found.resumedRejected++;
        const reason = String(rec.reason);
        found.rejectedByReason[reason] = (found.rejectedByReason[reason] ?? 0) + 1;
      },
    });
    return {
      accepted: a.journal,
      rejects: r.journal,
      ...found,
      tornBytes: a.report.tornBytes + r.report.tornBytes,
    };
  } catch (error) {
    a.journal.close();
    throw error;
  }
}

interface Failure {
  code: string;
  message: string;
}

/** One run over the items not yet finished: the work queue, the workers, and what became of each item. */
class ReplayRun {
  /** Aborted by the caller's signal, a fatal error or too many failures in a row. */
  readonly stop = new AbortController();
  stoppedBy: { code: CftkitErrorCode; message: string } | undefined;
  private readonly queue: { item: GenerationItem; tries: number }[];
  private readonly resumedAccepted: number;
  private readonly failedIds = new Map<string, Failure>();
  // Items that failed and were queued for another try: failed too if the run ends before that try.
  private readonly awaitingRetry = new Map<string, Failure>();
  private failedAttempts = 0;
  private consecutiveFailures = 0;
  private accepted = 0;
  private rejected = 0;

  constructor(
    private readonly options: GenerativeReplayOptions,
    private readonly journals: ReplayJournals,
  ) {
    setMaxListeners(0, this.stop.signal); // every request in flight listens to it
    this.resumedAccepted = options.items.filter((item) => journals.accepted.has(item.id)).length;
    this.queue = options.items.filter((item) => !this.isDone(item.id)).map((item) => ({ item, tries: 0 }));
  }

  private isDone(id: string): boolean {
    return this.journals.accepted.has(id) || this.journals.rejects.has(id);
  }

  async work(progress: ProgressReporter): Promise<void> {
    const { generator, items } = this.options;
    const report = () =>
      progress.update({
        done: this.resumedAccepted + this.journals.resumedRejected + this.accepted + this.rejected,
        total: items.length,
        values: {
          accepted: this.resumedAccepted + this.accepted,
          rejected: this.journals.resumedRejected + this.rejected,
          failed: this.failedIds.size,
          ...numericStats(generator.stats()),
        },
      });
    progress.start("generative replay", items.length);
    report();
    const worker = async () => {
      while (!this.stop.signal.aborted) {
        const batch = this.queue.splice(0, generator.batchSize);
        if (batch.length === 0) return;
        const results = await generator.generate(
          batch.map((b) => b.item),
          this.stop.signal,
        );
        const tooFew = { ok: false, error: new Error("generator returned too few results") } as const;
        for (const [i, b] of batch.entries()) this.handle(b.item, results[i] ?? tooFew, b.tries);
        report();
      }
    };
    // Workers that find the queue empty end; retries pushed later are picked up by the survivors, so
    // keep one waiting loop until every worker is idle and the queue is empty.
    for (;;) {
      await Promise.all(Array.from({ length: Math.max(1, generator.concurrency) }, worker));
      if (this.queue.length === 0 || this.stop.signal.aborted) break;
    }
    progress.stop();
  }

  private handle(item: GenerationItem, result: GenerationResult, tries: number): void {
    if (this.isDone(item.id)) return; // a duplicate result can never be written
    if (result.ok) this.generated(item, result.value, tries);
    else this.failed(item, result.error, tries);
  }

  private failed(item: GenerationItem, error: unknown, tries: number): void {
    const code = isCftkitError(error) ? error.code : "GENERATION_FAILED";
    if (code === "OPENAI_ABORTED" || this.stop.signal.aborted) return; // interrupted, stays pending
    const message = error instanceof Error ? error.message : String(error);
    this.failedAttempts++;
    this.awaitingRetry.delete(item.id);
    if (FATAL_CODES.has(code)) {
      this.stoppedBy ??= { code: code as CftkitErrorCode, message };
      this.failedIds.set(item.id, { code, message });
      this.stop.abort(new Error(code));
      return;
    }
    this.consecutiveFailures++;
    if (tries < (this.options.itemRetries ?? 1)) {
      this.queue.push({ item, tries: tries + 1 });
      this.awaitingRetry.set(item.id, { code, message });
    } else this.failedIds.set(item.id, { code, message });
    if (this.consecutiveFailures >= (this.options.maxConsecutiveFailures ?? 25)) {
      this.stoppedBy ??= {
        code: "REPLAY_TOO_MANY_FAILURES",
        message: `${this.consecutiveFailures} generations failed in a row; last: ${code}: ${message}`,
      };
      this.stop.abort(new Error("too many failures"));
    }
  }

  private generated(item: GenerationItem, value: GenerationOutcome, tries: number): void {
    this.consecutiveFailures = 0;
    this.failedIds.delete(item.id);
    this.awaitingRetry.delete(item.id);
    const { description } = this.options.generator;
    const provenance: GenerationProvenance = {
      ...description,
      sampling: { ...description.sampling, seed: value.seed },
      finishReason: value.finishReason,
      attempts: value.attempts + tries,
      generatedAt: new Date().toISOString(),
      ...(value.usage ? { usage: value.usage } : {}),
    };
    const verdict = judgeResponse(value.text, value.finishReason, this.options.filters ?? {});
    if (verdict.ok) {
      this.journals.accepted.append(acceptedRecord(item, value.text, provenance));
      this.accepted++;
      return;
    }
    const rejected: RejectedRecord = {
      id: item.id,
      reason: verdict.reason as QualityRejectReason,
      ...(verdict.detail ? { detail: verdict.detail } : {}),
      output: value.text,
      provenance,
    };
    this.journals.rejects.append(rejected);
    this.rejected++;
    const byReason = this.journals.rejectedByReason;
    byReason[rejected.reason] = (byReason[rejected.reason] ?? 0) + 1;
  }

  /** The summary's counts; items still awaiting a retry count as failed. */
  counts(elapsedMs: number) {
    const { resumedAccepted, accepted, rejected, failedIds, journals } = this;
    const total = this.options.items.length;
    const acceptedTotal = resumedAccepted + accepted;
    const rejectedTotal = journals.resumedRejected + rejected;
    for (const [id, f] of this.awaitingRetry) if (!this.isDone(id)) failedIds.set(id, f);
    const failedTotal = failedIds.size;
    const byCode: Record<string, number> = {};
    for (const f of failedIds.values()) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    return {
      requested: total,
      accepted: acceptedTotal,
      rejected: { total: rejectedTotal, byReason: journals.rejectedByReason },
      failed: {
        total: failedTotal,
        attempts: this.failedAttempts,
        byCode,
        examples: [...failedIds.entries()].slice(0, 10).map(([id, f]) => ({ id, ...f })),
      },
      pending: total - acceptedTotal - rejectedTotal - failedTotal,
      resumed: {
        accepted: resumedAccepted,
        rejected: journals.resumedRejected,
        tornBytes: journals.tornBytes,
        foreignRecords: journals.foreign,
      },
      thisRun: {
        accepted,
        rejected,
        failed: failedTotal,
        elapsedMs,
        itemsPerSecond: elapsedMs > 0 ? ((accepted + rejected) * 1000) / elapsedMs : 0,
      },
    };
  }
}

/** An accepted response as a replay record: the English item's fields with the new output. */
function acceptedRecord(
  item: GenerationItem,
  text: string,
  provenance: GenerationProvenance,
): GeneratedRecord {
  const rec = item.record;
  return {
    id: item.id,
    language: rec.language,
    instruction: rec.instruction,
    ...(rec.input ? { input: rec.input } : {}),
    ...(rec.system ? { system: rec.system } : {}),
    output: text.trim(),
    source: `replay-gr:${rec.source}`,
    ...(rec.parallel_id !== undefined ? { parallel_id: rec.parallel_id } : {}),
    provenance,
  };
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
