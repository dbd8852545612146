import { join } from "node:path";
import { CftkitError, checkOptions, type ProgressReporter, writeFileAtomic } from "@cftkit/core";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";
import { z } from "zod";
import type { SingularValueOptions } from "./linalg/singular-values.js";
import type { SingularValuePool } from "./linalg/worker-pool.js";
import {
  DEFAULT_SPECTRUM_TYPES,
  modelSlug,
  moduleTypesSchema,
  parseTypes,
  sortTypes,
} from "./module-types.js";
import { selectTop } from "./select-top.js";
import { type ScannedModule, scanSpectrum } from "./spectrum-scan.js";
import { finiteForJson, type NoiseEmptyRule, snrFromParts } from "./spectrum-snr.js";
import {
  exactPattern,
  type PatternGroup,
  patternsTraining,
  renderUnfrozenYaml,
} from "./unfrozen-patterns.js";

export type SpectrumMode = "unfreeze-top" | "freeze-top";

/** What each mode means (the CLI's and the error's wording). */
export const SPECTRUM_MODES: Record<SpectrumMode, string> = {
  "freeze-top":
    "freeze the top-P % SNR modules of each type and train the rest (the paper's Spectrum layer freezing, §5.2/D.1)",
  "unfreeze-top": "train only the top-P % SNR modules of each type and freeze the rest (Spectrum's own use)",
};

/** The two modes are opposite selections, so there is no default: a missing mode is an error. */
export function requireSpectrumMode(mode: unknown, flag = "mode"): SpectrumMode {
  if (mode === "freeze-top" || mode === "unfreeze-top") return mode;
  const both = Object.entries(SPECTRUM_MODES)
    .map(([m, what]) => `${m}: ${what}`)
    .join("; ");
  throw new CftkitError(
    "FREEZE_SPECTRUM_MODE",
    `${mode === undefined ? `${flag} is required` : `${flag} must be freeze-top or unfreeze-top, got "${String(mode)}"`} — ${both}`,
  );
}

/** The options a caller chooses (the CLI's `freeze spectrum` flags are built from it); spectrum() checks them. */
export const spectrumOptionsSchema = z.object({
  topPercent: z
    .number()
    .min(0)
    .max(100)
    .describe("percent of modules per type to select (Spectrum's floor rule)"),
  // No default: the two modes are opposite selections (docs/semantics.md, "Spectrum direction").
  mode: z.enum(["freeze-top", "unfreeze-top"]).describe(
    Object.entries(SPECTRUM_MODES)
      .map(([m, what]) => `${m}: ${what}`)
      .join("; "),
  ),
  types: moduleTypesSchema(DEFAULT_SPECTRUM_TYPES),
  out: z
    .string()
    .min(1)
    .meta({ path: "output-folder" }) // written into: the CLI's path guard checks it
    .optional()
    .describe(
      "write snr_results_<slug>.json and unfrozen_parameters_<P>percent.yaml there (and the SNR cache)",
    ),
  cachePath: z
    .string()
    .min(1)
    .optional()
    .describe("per-tensor SNR cache (JSONL; default <out>/.spectrum-cache.jsonl)"),
  modelName: z
    .string()
    .min(1)
    .optional()
    .describe("model name for the results file's slug (default: the folder name)"),
  threads: z
    .number()
    .int()
    .min(1)
    .max(2 ** 32 - 1)
    .optional()
    .describe("worker threads for the SVDs (default: all cores)"),
  legacyInfinity: z
    .boolean()
    .default(false)
    .describe("old Spectrum rule: no singular value at or below the threshold gives Infinity (not signal/1)"),
});

export interface SpectrumOptions {
  topPercent: number;
  /** `freeze-top` (the paper's LF use: freeze the high-SNR modules) or `unfreeze-top` (Spectrum: train them). Required. */
  mode: SpectrumMode;
  /** Module types to scan, or their shorthands q,k,v,o,gate,up,down (default: every projection). */
  types?: readonly string[];
  /** Output folder for `snr_results_<slug>.json` and `unfrozen_parameters_<P>percent.yaml` (and the cache). */
  out?: string;
  /** Cache file (default `<out>/.spectrum-cache.jsonl` when `out` is given). */
  cachePath?: string | null;
  /** Model name for the slug (default: the folder name). */
  modelName?: string;
  /** Rule when no singular value is at or below the threshold: "one" (current Spectrum) or "infinity" (old JSONs). */
  noiseEmpty?: NoiseEmptyRule;
  /** The old rule by its flag's name: true is `noiseEmpty: "infinity"` (an explicit `noiseEmpty` wins). */
  legacyInfinity?: boolean;
  threads?: number;
  pool?: SingularValuePool;
  progress?: ProgressReporter;
  /** Tuning of the singular-value solver (block size). */
  svd?: SingularValueOptions;
}

export interface SpectrumResult {
  /** module → Spectrum SNR value (snr / S[0]); ±Infinity possible (see finiteForJson for files). */
  snr: Record<string, number>;
  types: Record<string, string>;
  /** Per type, the top modules in selection order. */
  selected: Record<string, string[]>;
  /** Modules frozen (freeze-top) or [] (unfreeze-top: everything not listed stays frozen). */
  frozen: string[];
  unfrozen_parameters: string[];
  groups: PatternGroup[];
  yaml: string;
  mode: SpectrumMode;
  topPercent: number;
  files: { snrResults?: string; yaml?: string; cache?: string };
  modules: ScannedModule[];
  /** How long the scan and selection took. */
  seconds: number;
}

/** Spectrum layer selection: scan, per-type top-percent selection, Axolotl `unfrozen_parameters`. */
export async function spectrum(modelPath: string, options: SpectrumOptions): Promise<SpectrumResult> {
  const started = Date.now();
  const mode = requireSpectrumMode(options.mode);
  checkOptions(
    spectrumOptionsSchema,
    {
      topPercent: options.topPercent,
      mode,
      types: options.types,
      modelName: options.modelName,
      threads: options.threads,
      out: options.out,
    },
    "FREEZE_BAD_OPTION",
  );
  const types = parseTypes(options.types, DEFAULT_SPECTRUM_TYPES);
  const noiseEmpty = options.noiseEmpty ?? (options.legacyInfinity ? "infinity" : "one");
  const cachePath =
    options.cachePath !== undefined
      ? options.cachePath
      : options.out
        ? join(options.out, ".spectrum-cache.jsonl")
        : null;
  const scanned = await scanSpectrum(modelPath, {
    types,
    cachePath,
    threads: options.threads,
    pool: options.pool,
    progress: options.progress,
    svd: options.svd,
  });
  const typeOrder = sortTypes(scanned.map((m) => m.type));
  const ordered = typeOrder.flatMap((t) => scanned.filter((m) => m.type === t));
  const snr: Record<string, number> = {};
  const typeOf: Record<string, string> = {};
  for (const m of ordered) {
    snr[m.module] = snrFromParts(m.parts, noiseEmpty);
    typeOf[m.module] = m.type;
  }
  const selection = selectTop(
    ordered.map((m) => ({ module: m.module, type: m.type, value: snr[m.module] })),
    { topPercent: options.topPercent },
  );
  const selected: Record<string, string[]> = {};
  for (const t of typeOrder) selected[t] = selection.get(t) ?? [];
  let groups: PatternGroup[];
  let frozen: string[] = [];
  if (mode === "unfreeze-top") {
    // Exactly Spectrum's YAML: head and embeddings always, then each scanned type's top modules.
    groups = [
      { type: "", patterns: [exactPattern("lm_head.weight"), exactPattern("model.embed_tokens.weight")] },
    ];
    for (const t of typeOrder) groups.push({ type: t, patterns: selected[t] });
  } else {
    frozen = typeOrder.flatMap((t) => selected[t]);
    const checkpoint = await SafetensorsCheckpoint.open(modelPath);
    const names = checkpoint.tensors.map((t) => t.name);
    await checkpoint.close();
    groups = patternsTraining(names, new Set(frozen));
  }
  const yaml = renderUnfrozenYaml(groups);
  const result: SpectrumResult = {
    snr,
    types: typeOf,
    selected,
    frozen,
    unfrozen_parameters: groups.flatMap((g) => g.patterns),
    groups,
    yaml,
    mode,
    topPercent: options.topPercent,
    files: {},
    modules: ordered,
    seconds: 0,
  };
  if (options.out) {
    const name =
      options.modelName ??
      modelPath
        .replace(/[\\/]+$/, "")
        .split(/[\\/]/)
        .pop() ??
      "model";
    const snrFile = join(options.out, `snr_results_${modelSlug(name)}.json`);
    const data: Record<string, { snr: number; type: string }> = {};
    for (const m of ordered) data[m.module] = { snr: finiteForJson(snr[m.module]), type: m.type };
    await writeFileAtomic(snrFile, `${JSON.stringify(data, null, 4)}\n`);
    const yamlFile = join(options.out, `unfrozen_parameters_${options.topPercent}percent.yaml`);
    await writeFileAtomic(yamlFile, yaml);
    result.files = { snrResults: snrFile, yaml: yamlFile, cache: cachePath ?? undefined };
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
