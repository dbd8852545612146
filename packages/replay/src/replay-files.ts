import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  CftkitError,
  type ProgressReporter,
  SeededRandom,
  sha256File,
  stableStringify,
  writeJsonAtomic,
} from "@cftkit/core";
import {
  exportAxolotl,
  exportEmbedded,
  type InstructionRecord,
  type LoadOptions,
  loadDataset,
  type OutputLayout,
  readRecordsJsonl,
  recordToMessages,
  writeRecordsJsonl,
} from "@cftkit/datasets";
import { mixManifestPath } from "./replay-mix-options.js";
import type { ReplayGenerator } from "./generators.js";
import {
  type GenerativeReplaySummary,
  rejectsPathFor,
  runGenerativeReplay,
  serializableFilters,
} from "./generative-replay.js";
import type { QualityFilterOptions } from "./quality-filters.js";
import type { GenerationItem } from "./replay-types.js";
import { type ReplayMode, type ReplaySelection, selectReplayItems } from "./replay-selection.js";

/** An input file as a manifest records it. */
export interface InputFile {
  path: string;
  sha256: string;
  rows: number;
}

export interface ReplayInputs {
  /** The Phase-2 set (the ratio is of its size). Omit only with `count`, to sample `english` alone. */
  phase2?: string;
  /** The English counterpart: twins sharing `parallel_id` with Phase-2 records, or the counterpart dataset. */
  english: string;
  /** Evaluation sets whose items must never be replayed. */
  exclude?: string[];
  ratio?: number;
  count?: number;
  seed: number;
  /** twins, counterpart, or auto (default): see `ReplayMode`. */
  mode?: ReplayMode | "auto";
  /** Loader options for every input (format, language…). */
  load?: LoadOptions;
}

/** Counts of records per language and per `source`. */
export function countBy(records: readonly InstructionRecord[]): {
  byLanguage: Record<string, number>;
  bySource: Record<string, number>;
} {
  const byLanguage: Record<string, number> = {};
  const bySource: Record<string, number> = {};
  for (const r of records) {
    byLanguage[r.language] = (byLanguage[r.language] ?? 0) + 1;
    bySource[r.source] = (bySource[r.source] ?? 0) + 1;
  }
  return { byLanguage: sortKeys(byLanguage), bySource: sortKeys(bySource) };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function loadInput(
  path: string,
  options: LoadOptions | undefined,
): Promise<{ records: InstructionRecord[]; file: InputFile }> {
  const records = await loadDataset(path, options);
  return {
    records,
    file: {
      path,
      sha256: existsSync(path) ? await sha256File(path).catch(() => "") : "",
      rows: records.length,
    },
  };
}

/** Load the inputs and choose the English items to replay (shared by ER and GR). */
export async function loadReplaySelection(inputs: ReplayInputs): Promise<{
  selection: ReplaySelection;
  files: { phase2: InputFile | null; english: InputFile; exclude: InputFile[] };
}> {
  const english = await loadInput(inputs.english, inputs.load);
  const phase2 = inputs.phase2 ? await loadInput(inputs.phase2, inputs.load) : null;
  const exclude: InstructionRecord[] = [];
  const excludeFiles: InputFile[] = [];
  for (const path of inputs.exclude ?? []) {
    const e = await loadInput(path, { ...inputs.load, format: undefined });
    exclude.push(...e.records);
    excludeFiles.push(e.file);
  }
  const selection = selectReplayItems(phase2?.records ?? null, english.records, {
    ratio: inputs.ratio,
    count: inputs.count,
    seed: inputs.seed,
    mode: inputs.mode,
    exclude,
  });
  return { selection, files: { phase2: phase2?.file ?? null, english: english.file, exclude: excludeFiles } };
}

function selectionManifest(selection: ReplaySelection) {
  return {
    mode: selection.mode,
    modeReason: selection.modeReason,
    seed: selection.seed,
    ratio: selection.ratio,
    target: selection.target,
    selected: selection.records.length,
    shortfall: selection.shortfall,
    phase2Size: selection.phase2Size,
    availableEnglish: selection.available,
    missingEnglish: selection.missingEnglish,
    excluded: selection.excluded,
  };
}

export interface EnglishReplayManifest {
  kind: "replay-er";
  /** `short`: fewer records than the target (see `selection.shortfall`). */
  status: "complete" | "short";
  selection: ReturnType<typeof selectionManifest>;
  inputs: { phase2: InputFile | null; english: InputFile; exclude: InputFile[] };
  output: { file: string; rows: number; sha256: string };
  counts: { byLanguage: Record<string, number>; bySource: Record<string, number> };
}

/**
 * English replay (ER): the chosen English counterparts with their original responses, written to
 * `<outDir>/replay.jsonl` (cftkit JSONL, `source` = `replay-er:<source>`) with `<outDir>/manifest.json`.
 */
export async function runEnglishReplay(
  inputs: ReplayInputs & { outDir: string },
): Promise<EnglishReplayManifest> {
  const { selection, files } = await loadReplaySelection(inputs);
  const records = selection.records.map((r) => ({ ...r, source: `replay-er:${r.source}` }));
  const out = join(inputs.outDir, "replay.jsonl");
  const { rows } = await writeRecordsJsonl(out, records);
  const manifest: EnglishReplayManifest = {
    kind: "replay-er",
    status: selection.shortfall > 0 ? "short" : "complete",
    selection: selectionManifest(selection),
    inputs: files,
    output: { file: basename(out), rows, sha256: await sha256File(out) },
    counts: countBy(records),
  };
  await writeJsonAtomic(join(inputs.outDir, "manifest.json"), manifest);
  return manifest;
}

/** The generation items of a selection: the English instruction (+ input, + system) as the user turn; never the response. */
export function generationItems(records: readonly InstructionRecord[]): GenerationItem[] {
  return records.map((r) => ({
    id: r.id,
    messages: recordToMessages({ ...r, output: "", messages: undefined }),
    record: r,
  }));
}

export interface GenerativeReplayManifest {
  kind: "replay-gr";
  /** complete: target reached; short: every candidate tried, fewer accepted; incomplete: items pending or failed. */
  status: "running" | "complete" | "short" | "incomplete";
  selection: ReturnType<typeof selectionManifest>;
  inputs: { phase2: InputFile | null; english: InputFile; exclude: InputFile[] };
  generator: ReplayGenerator["description"];
  filters: Record<string, unknown>;
  output?: {
    file: string;
    rejectsFile: string;
    target: number;
    accepted: number;
    /** target − accepted. */
    shortfall: number;
    /** Items generated for (chosen + top-ups). */
    tried: number;
    /** Further candidates generated for because the filters dropped generations. */
    toppedUp: number;
    rejected: Record<string, number>;
    failed: number;
    pending: number;
  };
  counts?: { byLanguage: Record<string, number>; bySource: Record<string, number> };
}

export interface GrFileOptions extends ReplayInputs {
  outDir: string;
  generator: ReplayGenerator;
  filters?: QualityFilterOptions;
  signal?: AbortSignal;
  progress?: ProgressReporter;
  fsyncEvery?: number;
  fsyncIntervalMs?: number;
  maxConsecutiveFailures?: number;
  /** Most further candidates to generate for when the filters drop generations. Default: no limit. */
  maxTopUps?: number;
}

/**
 * Generative replay (GR) over files: choose the items (as ER), generate responses with `generator` into
 * `<outDir>/replay.jsonl` (+ `replay.rejects.jsonl`), resumably; `<outDir>/manifest.json` records the selection
 * and the generator at the start (a resumed run must match it) and the counts at the end.
 */
export async function runGenerativeReplayFiles(
  inputs: GrFileOptions,
): Promise<{ summary: GenerativeReplaySummary; manifest: GenerativeReplayManifest }> {
  const { selection, files } = await loadReplaySelection(inputs);
  const manifestPath = join(inputs.outDir, "manifest.json");
  const out = join(inputs.outDir, "replay.jsonl");
  const manifest: GenerativeReplayManifest = {
    kind: "replay-gr",
    status: "running",
    selection: selectionManifest(selection),
    inputs: files,
    generator: inputs.generator.description,
    filters: serializableFilters(inputs.filters ?? {}),
  };
  if (existsSync(manifestPath) && existsSync(out)) {
    const previous = JSON.parse(readFileSync(manifestPath, "utf8")) as GenerativeReplayManifest;
    const same = (a: GenerativeReplayManifest) => stableStringify({ s: a.selection, i: a.inputs });
    if (same(previous) !== same(manifest)) {
      throw new CftkitError(
        "REPLAY_SELECTION_CHANGED",
        `${inputs.outDir} holds a GR run over other inputs or another selection (seed, ratio, count, exclusions); resume with the same arguments or use a new --out`,
        { details: { previous: previous.selection, now: manifest.selection } },
      );
    }
  }
  await writeJsonAtomic(manifestPath, manifest);
  const { summary, tried } = await generateWithTopUps(selection, inputs, out);
  const finished = summary.pending === 0 && summary.failed.total === 0;
  // Every response may have been filtered out: an empty buffer is then reported as a total shortfall.
  const accepted = finished && summary.accepted > 0 ? await readRecordsJsonl(out) : [];
  const final: GenerativeReplayManifest = {
    ...manifest,
    status: !finished ? "incomplete" : summary.accepted < selection.target ? "short" : "complete",
    output: {
      file: basename(out),
      rejectsFile: basename(rejectsPathFor(out)),
      target: selection.target,
      accepted: summary.accepted,
      shortfall: Math.max(0, selection.target - summary.accepted),
      tried,
      toppedUp: tried - selection.records.length,
      rejected: summary.rejected.byReason,
      failed: summary.failed.total,
      pending: summary.pending,
    },
    ...(finished ? { counts: countBy(accepted) } : {}),
  };
  await writeJsonAtomic(manifestPath, final);
  return { summary, manifest: final };
}

/**
 * Generate for the chosen items; while the quality filters have left fewer than the target accepted, generate
 * for as many further candidates (the selection's reserve, in seeded order) as are missing, until the target
 * is met or the candidates run out. Deterministic given the rejections, so a resumed run takes the same
 * items (those already in the journal are skipped).
 */
async function generateWithTopUps(
  selection: ReplaySelection,
  inputs: GrFileOptions,
  out: string,
): Promise<{ summary: GenerativeReplaySummary; tried: number }> {
  const limit = selection.records.length + (inputs.maxTopUps ?? Number.POSITIVE_INFINITY);
  const order = [...selection.records, ...selection.reserve].slice(0, limit);
  let tried = selection.records.length;
  for (;;) {
    const summary = await runGenerativeReplay({
      items: generationItems(order.slice(0, tried)),
      generator: inputs.generator,
      out,
      rejectsOut: rejectsPathFor(out),
      filters: inputs.filters,
      signal: inputs.signal,
      progress: inputs.progress,
      fsyncEvery: inputs.fsyncEvery,
      fsyncIntervalMs: inputs.fsyncIntervalMs,
      maxConsecutiveFailures: inputs.maxConsecutiveFailures,
    });
    const finished = summary.pending === 0 && summary.failed.total === 0 && !summary.interrupted;
    const missing = selection.target - summary.accepted;
    if (!finished || summary.stoppedBy || missing <= 0 || tried >= order.length) return { summary, tried };
    tried = Math.min(order.length, tried + missing);
  }
}

export type MixFormat = "embedded" | "chat_template" | "alpaca" | "cftkit";

/** The mix format of each `@cftkit/datasets` output layout (the names `cftkit replay mix --format` takes). */
export const MIX_FORMAT_OF_LAYOUT: Record<OutputLayout, MixFormat> = {
  embedded: "embedded",
  "axolotl-chat": "chat_template",
  "axolotl-alpaca": "alpaca",
  cftkit: "cftkit",
};

export interface MixManifest {
  kind: "replay-mix";
  seed: number;
  format: MixFormat;
  inputs: { phase2: InputFile; replay: InputFile[] };
  output: { file: string; rows: number; sha256: string };
  /** replay rows / Phase-2 rows. */
  replayRatio: number;
  counts: {
    total: number;
    byOrigin: { phase2: number; replay: number };
    byLanguage: Record<string, number>;
    bySource: Record<string, number>;
    byOriginLanguage: { phase2: Record<string, number>; replay: Record<string, number> };
  };
  axolotlDatasetEntry?: unknown;
}

/** Merge replay records into the Phase-2 records: concatenate, then a seeded shuffle. Ids must be unique. */
export function mixReplayRecords(
  phase2: readonly InstructionRecord[],
  replay: readonly InstructionRecord[],
  seed: number,
): InstructionRecord[] {
  const all = [...phase2, ...replay];
  const seen = new Set<string>();
  for (const r of all) {
    if (seen.has(r.id)) {
      throw new CftkitError(
        "REPLAY_DUPLICATE_ID",
        `id ${r.id} occurs twice in the Phase-2 set and the replay buffer`,
      );
    }
    seen.add(r.id);
  }
  return new SeededRandom(seed).shuffle(all);
}

/**
 * `cftkit replay mix`: the Phase-2 set plus replay buffers, shuffled (seeded), written in the trainer's format
 * (`embedded` = TrainingExample JSONL {id, language, messages}, the same rows as Axolotl `chat_template`;
 * `alpaca`; `cftkit`) with `<out>.manifest.json` (or `manifestPath`).
 */
export async function mixReplayFiles(options: {
  phase2: string;
  replay: string[];
  seed: number;
  out: string;
  /** A mix format, or the @cftkit/datasets output layout it is (`axolotl-chat` → `chat_template`). */
  format?: MixFormat | OutputLayout;
  manifestPath?: string;
  load?: LoadOptions;
}): Promise<MixManifest> {
  const given = options.format ?? "embedded";
  const format = MIX_FORMAT_OF_LAYOUT[given as OutputLayout] ?? (given as MixFormat);
  const phase2 = await loadInput(options.phase2, options.load);
  const replayRecords: InstructionRecord[] = [];
  const replayFiles: InputFile[] = [];
  for (const path of options.replay) {
    const r = await loadInput(path, { ...options.load, format: "cftkit" });
    replayRecords.push(...r.records);
    replayFiles.push(r.file);
  }
  const mixed = mixReplayRecords(phase2.records, replayRecords, options.seed);
  let datasetEntry: unknown;
  let rows: number;
  if (format === "embedded") rows = (await exportEmbedded(mixed, options.out)).rows;
  else if (format === "cftkit") rows = (await writeRecordsJsonl(options.out, mixed)).rows;
  else {
    const r = await exportAxolotl(mixed, { type: format, out: options.out });
    rows = r.rows;
    datasetEntry = r.datasetEntry;
  }
  const p = countBy(phase2.records);
  const rp = countBy(replayRecords);
  const all = countBy(mixed);
  const manifest: MixManifest = {
    kind: "replay-mix",
    seed: options.seed,
    format,
    inputs: { phase2: phase2.file, replay: replayFiles },
    output: { file: basename(options.out), rows, sha256: await sha256File(options.out) },
    replayRatio: phase2.records.length > 0 ? replayRecords.length / phase2.records.length : 0,
    counts: {
      total: mixed.length,
      byOrigin: { phase2: phase2.records.length, replay: replayRecords.length },
      byLanguage: all.byLanguage,
      bySource: all.bySource,
      byOriginLanguage: { phase2: p.byLanguage, replay: rp.byLanguage },
    },
    ...(datasetEntry ? { axolotlDatasetEntry: datasetEntry } : {}),
  };
  await writeJsonAtomic(options.manifestPath ?? mixManifestPath(options.out), manifest);
  return manifest;
}
