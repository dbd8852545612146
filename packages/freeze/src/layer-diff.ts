import { CftkitError, checkOptions, type ProgressReporter, silentProgress } from "@cftkit/core";
import {
  ChunkScratch,
  parseParameterName,
  readTensorChunks,
  SafetensorsCheckpoint,
  type TensorInfo,
} from "@cftkit/safetensors";
import { z } from "zod";
import { DEFAULT_DIFF_TYPES, moduleTypesSchema, parseTypes } from "./module-types.js";
import { selectTop } from "./select-top.js";
import {
  LF_H2_FILES,
  selectionOutSchema,
  layerDiffDocument,
  writeSelectionFiles,
} from "./selection-documents.js";
import { type PatternGroup, patternsTraining, renderUnfrozenYaml } from "./unfrozen-patterns.js";

/** The options a caller chooses (the CLI's `freeze diff` flags are built from it); layerDiff() checks them. */
export const layerDiffOptionsSchema = z.object({
  topK: z
    .number()
    .int()
    .min(1)
    .max(2 ** 32 - 1)
    .describe("modules to freeze per type"),
  types: moduleTypesSchema(DEFAULT_DIFF_TYPES),
  out: selectionOutSchema(LF_H2_FILES),
});

export interface LayerDiffOptions {
  /** How many modules to freeze per type. */
  topK: number;
  /** Module types scored and frozen separately, or their shorthands (default q, k, v projections). */
  types?: readonly string[];
  /** Output folder for `unfrozen_parameters_lf_h2.yaml` and `.json` (see writeSelectionFiles). */
  out?: string;
  /** Elements per streamed chunk (default 1M: a few MB per checkpoint in memory). */
  chunkElements?: number;
  progress?: ProgressReporter;
}

export interface FreezeSelection {
  /** module → score (LF_H2: ||W_tuned − W_base||_F). */
  scores: Record<string, number>;
  /** Modules (or for LF_H1 whole layers' modules) to freeze. */
  frozen: string[];
  /** Axolotl patterns training every other parameter. */
  unfrozen_parameters: string[];
  groups: PatternGroup[];
  yaml: string;
  /** The YAML and JSON files written with `out` (none without). */
  files: { yaml?: string; json?: string };
}

export interface LayerDiffResult extends FreezeSelection {
  /** module → ||ΔW||_F / ||W_base||_F. */
  relative_change: Record<string, number>;
  types: string[];
  /** The K asked for. */
  top_k: number;
  /** Per type, how many modules were actually frozen (fewer than K when the model has fewer). */
  effective_top_k: Record<string, number>;
  /** What was done differently from what was asked, in words (e.g. K above the number of layers). */
  notes: string[];
}

/**
 * LF_H2: stream two checkpoints of the same architecture tensor by tensor (chunked: bounded memory however large
 * the tensors), score each weight of the chosen types by the Frobenius norm of its change, and freeze the top-K
 * most-changed modules of each type. Tensor sets and shapes must match.
 */
export async function layerDiff(
  basePath: string,
  tunedPath: string,
  options: LayerDiffOptions,
): Promise<LayerDiffResult> {
  const progress = options.progress ?? silentProgress;
  const types = parseTypes(options.types, DEFAULT_DIFF_TYPES);
  if (!Number.isInteger(options.topK) || options.topK < 0) {
    throw new CftkitError("FREEZE_BAD_TOP_K", `--top-k must be a non-negative integer, got ${options.topK}`, {
      exitCode: 2,
    });
  }
  const { topK, types: given, out } = options;
  checkOptions(layerDiffOptionsSchema, { topK, types: given, out }, "FREEZE_BAD_OPTION");
  const base = await SafetensorsCheckpoint.open(basePath);
  const tuned = await SafetensorsCheckpoint.open(tunedPath);
  try {
    const baseNames = new Set(base.tensors.map((t) => t.name));
    const tunedNames = new Set(tuned.tensors.map((t) => t.name));
    const onlyBase = [...baseNames].filter((n) => !tunedNames.has(n));
    const onlyTuned = [...tunedNames].filter((n) => !baseNames.has(n));
    if (onlyBase.length > 0 || onlyTuned.length > 0) {
      throw new CftkitError(
        "FREEZE_TENSOR_SET_MISMATCH",
        `${basePath} and ${tunedPath} hold different tensors (only in base: ${onlyBase.slice(0, 5).join(", ") || "none"}; only in tuned: ${onlyTuned.slice(0, 5).join(", ") || "none"})`,
        { exitCode: 2, details: { onlyBase, onlyTuned } },
      );
    }
    for (const t of base.tensors) {
      const u = tuned.info(t.name);
      if (t.shape.length !== u.shape.length || t.shape.some((d, i) => d !== u.shape[i])) {
        throw new CftkitError(
          "FREEZE_SHAPE_MISMATCH",
          `tensor ${t.name}: shape [${t.shape}] in ${basePath} but [${u.shape}] in ${tunedPath}`,
          { exitCode: 2, details: { tensor: t.name, base: t.shape, tuned: u.shape } },
        );
      }
    }
    const targets = base.tensors.filter((t) => {
      const p = parseParameterName(t.name);
      return p.kind === "weight" && types.includes(p.moduleType);
    });
    if (targets.length === 0) {
      throw new CftkitError(
        "FREEZE_NO_MODULES",
        `${basePath}: no weights of the module types ${types.join(", ")}`,
        { exitCode: 2 },
      );
    }
    const scores: Record<string, number> = {};
    const relative: Record<string, number> = {};
    const entries: { module: string; type: string; value: number }[] = [];
    progress.start("LF_H2 weight change", targets.length);
    let done = 0;
    const scratch: [ChunkScratch, ChunkScratch] = [
      new ChunkScratch(options.chunkElements),
      new ChunkScratch(options.chunkElements),
    ];
    for (const info of targets) {
      const { diff, norm } = await frobeniusDiff(info, tuned.info(info.name), scratch);
      const p = parseParameterName(info.name);
      scores[p.module] = diff;
      relative[p.module] = norm > 0 ? diff / norm : diff === 0 ? 0 : Number.POSITIVE_INFINITY;
      entries.push({ module: p.module, type: p.moduleType, value: diff });
      progress.update({ done: ++done, total: targets.length });
    }
    progress.stop();
    const selection = selectTop(entries, { topK: options.topK });
    const frozen = types.flatMap((t) => selection.get(t) ?? []);
    const effective: Record<string, number> = {};
    const notes: string[] = [];
    for (const t of types) {
      const available = entries.filter((e) => e.type === t).length;
      effective[t] = selection.get(t)?.length ?? 0;
      if (available > 0 && options.topK > available) {
        notes.push(
          `--top-k ${options.topK} but the model has only ${available} ${t} modules: froze all ${available} of them (effective k = ${available})`,
        );
      }
    }
    const groups = patternsTraining(
      base.tensors.map((t) => t.name),
      new Set(frozen),
    );
    const result: LayerDiffResult = {
      scores,
      relative_change: relative,
      frozen,
      unfrozen_parameters: groups.flatMap((g) => g.patterns),
      groups,
      yaml: renderUnfrozenYaml(groups),
      types,
      top_k: options.topK,
      effective_top_k: effective,
      notes,
      files: {},
    };
    if (options.out) {
      const document = layerDiffDocument(result, options.topK);
      result.files = await writeSelectionFiles(options.out, LF_H2_FILES, result.yaml, document);
    }
    return result;
  } finally {
    await base.close();
    await tuned.close();
  }
}

/**
 * ||b − a||_F and ||a||_F of two same-shaped tensors, streamed in chunks (two reusable scratch buffers: pass the
 * same pair for every tensor), accumulated in float64.
 */
export async function frobeniusDiff(
  a: TensorInfo,
  b: TensorInfo,
  scratch: [ChunkScratch, ChunkScratch] = [new ChunkScratch(), new ChunkScratch()],
): Promise<{ diff: number; norm: number }> {
  const ia = readTensorChunks(a, scratch[0]);
  const ib = readTensorChunks(b, scratch[1]);
  let diff = 0;
  let norm = 0;
  try {
    for (;;) {
      const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
      if (ra.done || rb.done) {
        if (ra.done !== rb.done)
          throw new CftkitError("FREEZE_SHAPE_MISMATCH", `tensor ${a.name}: element counts differ`, {
            exitCode: 2,
          });
        break;
      }
      const x = ra.value;
      const y = rb.value;
      if (x.length !== y.length) throw new Error(`internal: chunk sizes differ for ${a.name}`);
      let d = 0;
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        const xi = x[i];
        const t = y[i] - xi;
        d += t * t;
        s += xi * xi;
      }
      diff += d;
      norm += s;
    }
  } finally {
    await ia.return(undefined);
    await ib.return(undefined);
  }
  return { diff: Math.sqrt(diff), norm: Math.sqrt(norm) };
}
