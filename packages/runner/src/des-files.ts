import { checkOptions, formatTable, type ProgressReporter } from "@cftkit/core";
import { loadDataset } from "@cftkit/datasets";
import type { DesResult, TextEncoder } from "@cftkit/similarity";
import { type DesFileOptions, desFileOptionsSchema } from "./des-file-options.js";

/** DES of two sets, or the matrix of every pair when there are more. */
export type DesOfFiles =
  | { pair: DesResult }
  | { matrix: { names: string[]; matrix: number[][]; model: string; seed: number } };

async function encoderFor(o: ReturnType<typeof desFileOptionsSchema.parse>): Promise<TextEncoder> {
  const { CachedEncoder, DEFAULT_SENTENCE_MODEL, SentenceTransformerEncoder } = await import(
    "@cftkit/similarity"
  );
  const inner =
    o.encoder === "lm"
      ? await (await import("./causal-lm-encoder.js")).CausalLmEncoder.load(o.model ?? ".")
      : await SentenceTransformerEncoder.load({
          model: o.model ?? DEFAULT_SENTENCE_MODEL,
          offline: o.offline,
        });
  return o.cache ? new CachedEncoder(inner, o.cache) : inner;
}

/**
 * Dataset embedding similarity (paper Definition 1) of data files or folders in any format
 * `@cftkit/datasets` reads: `pair` for two sets, `matrix` for more. The encoder is a sentence encoder or a
 * causal LM's mean-pooled last hidden state, optionally behind an embedding cache; it is let go at the end.
 */
export async function desOfFiles(
  paths: readonly string[],
  options: DesFileOptions & { progress?: ProgressReporter } = {},
): Promise<DesOfFiles> {
  const o = checkOptions(desFileOptionsSchema, options, "RUN_BAD_OPTION");
  const sets = await Promise.all(paths.map(async (p) => ({ name: p, records: await loadDataset(p) })));
  const { des, desMatrix } = await import("@cftkit/similarity");
  const encoder = await encoderFor(o);
  const common = { encoder, samples: o.samples, seed: o.seed, text: o.text, progress: options.progress };
  try {
    if (sets.length === 2) return { pair: await des(sets[0]!.records, sets[1]!.records, common) };
    return { matrix: await desMatrix(sets, common) };
  } finally {
    await encoder.dispose?.();
  }
}

/**
 * The result in words (`cftkit similarity des` without --json): the pair's DES with its samples and encoder,
 * and its DES per language of the second set; or the matrix of every pair as a table.
 */
export function describeDesOfFiles(result: DesOfFiles): string[] {
  if ("matrix" in result) {
    const { names, matrix } = result.matrix;
    const rows = matrix.map((row, i) => [names[i]!, ...row.map((v) => v.toFixed(4))]);
    return formatTable(["", ...names], rows);
  }
  const r = result.pair;
  const languages = Object.entries(r.by_language).map(([l, v]) => [l, v.toFixed(4)]);
  return [
    `DES = ${r.des.toFixed(4)} (${r.samples_a} vs ${r.samples_b} samples, ${r.model}, seed ${r.seed})`,
    ...(languages.length ? formatTable(["language", "DES"], languages) : []),
  ];
}
