import { setMaxListeners } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import {
  CftkitError,
  isCftkitError,
  type OpenAICompatibleClient,
  type ProgressReporter,
  silentProgress,
  stableStringify,
  writeJsonAtomic,
} from "@cftkit/core";
import type { InstructionRecord } from "@cftkit/datasets";
import { AppendOnlyJournal, acquireRunLock } from "./append-only-journal.js";

/**
 * Machine translation of an instruction set through an OpenAI-compatible server, e.g. MOpenOrca: OpenOrca rows
 * translated into MultiAlpaca's 11 languages (docs/datasets.md). Every text field (system, instruction, input,
 * output) is translated by its own request (temperature 0); the translated record keeps the source's
 * `parallel_id` (or its id), so replay finds the English twins. Resumable like GR: finished (record, language)
 * pairs are in an append-only journal (accepted) or the rejects file, and a rerun skips them.
 */

/** MultiAlpaca's languages (PolyLM's multilingual self-instruct set). */
export const MULTIALPACA_LANGUAGES = [
  "ar",
  "de",
  "es",
  "fr",
  "id",
  "ja",
  "ko",
  "pt",
  "ru",
  "th",
  "vi",
] as const;

const FIELDS = ["system", "instruction", "input", "output"] as const;

export interface TranslateOptions {
  records: readonly InstructionRecord[];
  languages: readonly string[];
  client: OpenAICompatibleClient;
  /** Accepted translations (cftkit JSONL). */
  out: string;
  /** Default: `out` with `.rejects.jsonl`. */
  rejectsOut?: string;
  /** Most new tokens per field. Default 2048. */
  maxTokens?: number;
  /** Source language of the records. Default "en". */
  sourceLanguage?: string;
  signal?: AbortSignal;
  progress?: ProgressReporter;
}

export interface TranslateSummary {
  requested: number;
  accepted: number;
  rejected: number;
  /** Pairs that failed in this run (server errors); they stay pending for the next run. */
  failed: number;
  pending: number;
  resumed: number;
  /** Per target language. */
  byLanguage: Record<string, { accepted: number; rejected: number; failed: number; pending: number }>;
  rejectedByReason: Record<string, number>;
  interrupted: boolean;
  out: string;
  rejectsOut: string;
}

/** The prompt for one field. The reply must be the translation only. */
export function translationPrompt(
  text: string,
  from: string,
  to: string,
): { role: "system" | "user"; content: string }[] {
  return [
    {
      role: "system",
      content: `You are a professional translator. Translate the user's text from ${languageName(from)} into ${languageName(to)}. Keep formatting, code, numbers and names as they are. Reply with the translation only, without notes.`,
    },
    { role: "user", content: text },
  ];
}

export function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

const translatedId = (record: InstructionRecord, language: string) => `${record.id}@${language}`;

/** The files a translation into `out` writes beside it: the default rejects file, the manifest, the settings. */
export function translationSideFiles(out: string): { rejects: string; manifest: string; settings: string } {
  const stem = out.replace(/\.jsonl$/, "");
  return {
    rejects: `${stem}.rejects.jsonl`,
    manifest: `${stem}.manifest.json`,
    settings: `${out}.settings.json`,
  };
}

export async function translateDataset(options: TranslateOptions): Promise<TranslateSummary> {
  const rejectsOut = options.rejectsOut ?? translationSideFiles(options.out).rejects;
  const from = options.sourceLanguage ?? "en";
  const jobs = options.records.flatMap((record) =>
    options.languages.map((language) => ({ record, language })),
  );
  const release = acquireRunLock(options.out);
  try {
    await checkSettings(options, from);
    const accepted = (await AppendOnlyJournal.open(options.out)).journal;
    const rejects = (await AppendOnlyJournal.open(rejectsOut)).journal;
    const byLanguage = Object.fromEntries(
      options.languages.map((l) => [l, { accepted: 0, rejected: 0, failed: 0, pending: 0 }]),
    );
    const rejectedByReason: Record<string, number> = {};
    const isDone = (id: string) => accepted.has(id) || rejects.has(id);
    const todo = jobs.filter((j) => !isDone(translatedId(j.record, j.language)));
    const resumed = jobs.length - todo.length;
    const progress = options.progress ?? silentProgress;
    progress.start("translate", jobs.length);
    let done = resumed;
    let failed = 0;
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    options.signal?.addEventListener("abort", () => stop.abort(options.signal?.reason), { once: true });
    if (options.signal?.aborted) stop.abort();
    const queue = [...todo];
    const worker = async () => {
      for (let job = queue.shift(); job && !stop.signal.aborted; job = queue.shift()) {
        const id = translatedId(job.record, job.language);
        try {
          const result = await translateRecord(options, job.record, from, job.language, stop.signal);
          if ("reason" in result) {
            const rejected = { id, language: job.language, source_id: job.record.id, ...result };
            rejects.append(rejected);
            rejectedByReason[result.reason] = (rejectedByReason[result.reason] ?? 0) + 1;
          } else accepted.append({ ...result, id });
          done++;
        } catch (error) {
          if (isCftkitError(error) && error.code === "OPENAI_ABORTED") return;
          if (isCftkitError(error) && error.code === "OPENAI_BUDGET_EXHAUSTED") stop.abort(error);
          failed++;
          byLanguage[job.language]!.failed++;
        }
        progress.update({ done });
      }
    };
    const concurrency = Math.max(1, options.client.concurrency);
    await Promise.all(Array.from({ length: concurrency }, worker));
    accepted.close();
    rejects.close();
    progress.stop();
    countByLanguage(options.out, rejectsOut, byLanguage);
    let total = { accepted: 0, rejected: 0 };
    for (const [language, c] of Object.entries(byLanguage)) {
      c.pending = options.records.length - c.accepted - c.rejected - c.failed;
      total = { accepted: total.accepted + c.accepted, rejected: total.rejected + c.rejected };
      if (c.pending < 0)
        throw new CftkitError("TRANSLATE_COUNTS", `counts for ${language} do not add up`, { exitCode: 1 });
    }
    const summary: TranslateSummary = {
      requested: jobs.length,
      accepted: total.accepted,
      rejected: total.rejected,
      failed,
      pending: jobs.length - total.accepted - total.rejected - failed,
      resumed,
      byLanguage,
      rejectedByReason,
      interrupted: Boolean(options.signal?.aborted),
      out: options.out,
      rejectsOut,
    };
    await writeJsonAtomic(translationSideFiles(options.out).manifest, {
      kind: "translate",
      ...summary,
    });
    return summary;
  } finally {
    release();
  }
}

type Rejection = { reason: "empty" | "truncated"; field: string; output: string };

/** One record into one language: every non-empty text field, or the first field that came back unusable. */
async function translateRecord(
  options: TranslateOptions,
  record: InstructionRecord,
  from: string,
  to: string,
  signal: AbortSignal,
): Promise<InstructionRecord | Rejection> {
  const translated: InstructionRecord = {
    id: translatedId(record, to),
    language: to,
    instruction: record.instruction,
    output: record.output,
    source: `translate:${record.source}`,
    parallel_id: record.parallel_id ?? record.id,
    ...(record.group !== undefined ? { group: record.group } : {}),
  };
  for (const field of FIELDS) {
    const text = record[field];
    if (typeof text !== "string" || text.trim() === "") continue;
    const answer = await options.client.chat(translationPrompt(text, from, to), {
      maxTokens: options.maxTokens ?? 2048,
      temperature: 0,
      signal,
    });
    const out = answer.text.trim();
    if (out === "") return { reason: "empty", field, output: answer.text };
    if (answer.finishReason === "length") return { reason: "truncated", field, output: answer.text };
    translated[field] = out;
  }
  return translated;
}

/** Per-language counts from the files themselves, so resumed and new work are counted once. */
function countByLanguage(
  out: string,
  rejectsOut: string,
  byLanguage: Record<string, { accepted: number; rejected: number }>,
): void {
  for (const [path, key] of [
    [out, "accepted"],
    [rejectsOut, "rejected"],
  ] as const) {
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const language = (JSON.parse(line) as { language?: string }).language;
      if (language !== undefined && byLanguage[language]) byLanguage[language][key]++;
    }
  }
}

/** A resumed run must translate with the same model, languages and settings as the one that started the file. */
async function checkSettings(options: TranslateOptions, from: string): Promise<void> {
  const path = translationSideFiles(options.out).settings;
  const settings = {
    model: options.client.model,
    from,
    maxTokens: options.maxTokens ?? 2048,
    temperature: 0,
  };
  if (existsSync(path) && existsSync(options.out)) {
    const previous = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (stableStringify(previous) !== stableStringify(settings)) {
      throw new CftkitError(
        "TRANSLATE_SETTINGS_CHANGED",
        `${options.out} was started with other settings (${path}); resume with the same model and options, or write to a new file`,
        { details: { previous, now: settings } },
      );
    }
  }
  await writeJsonAtomic(path, settings);
}
