import { CftkitError, type ProgressReporter, SeededRandom, silentProgress } from "@cftkit/core";
import type { TextEncoder } from "./encoders/text-encoder.js";

/** The fields of an instruction record DES reads (structurally compatible with @cftkit/datasets records). */
export interface EmbeddableRecord {
  instruction: string;
  input?: string;
  output?: string;
  language?: string;
}

/** Which part of a record is embedded. The paper embeds the samples' instructions. */
export type EmbeddingText = "instruction" | "instruction+input" | "instruction+input+output";

export interface DesOptions {
  encoder: TextEncoder;
  /** Random samples per set (paper: 500). */
  samples?: number;
  seed?: number;
  text?: EmbeddingText;
  progress?: ProgressReporter;
}

export interface DesResult {
  des: number;
  samples_a: number;
  samples_b: number;
  model: string;
  seed: number;
  text: EmbeddingText;
  /** DES of set A against each language of set B (when B's records carry languages). */
  by_language: Record<string, number>;
}

export function textOf(record: EmbeddableRecord, text: EmbeddingText): string {
  const parts = [record.instruction];
  if (text !== "instruction" && record.input) parts.push(record.input);
  if (text === "instruction+input+output" && record.output) parts.push(record.output);
  return parts.join("\n\n");
}

/** E(D): the L2-normalised mean of the embeddings (paper Definition 1). */
export function datasetEmbedding(vectors: Float32Array[]): Float64Array {
  if (vectors.length === 0) throw new CftkitError("DES_EMPTY_SET", "cannot embed an empty data set");
  const dim = vectors[0]!.length;
  const mean = new Float64Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) mean[i]! += v[i]!;
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += (mean[i]! / vectors.length) ** 2;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dim; i++) mean[i] = mean[i]! / vectors.length / (norm || 1);
  return mean;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Seeded sample of up to n records (all of them when the set is smaller). */
function sampleOf<T>(records: readonly T[], n: number, rng: SeededRandom): T[] {
  return records.length <= n ? records.slice() : rng.sample(records, n);
}

/** DES(D1, D2) = <E(D1), E(D2)> over `samples` random records of each set. */
export async function des(
  a: readonly EmbeddableRecord[],
  b: readonly EmbeddableRecord[],
  options: DesOptions,
): Promise<DesResult> {
  const samples = options.samples ?? 500;
  const seed = options.seed ?? 0;
  const text = options.text ?? "instruction";
  const progress = options.progress ?? silentProgress;
  const rng = new SeededRandom(seed);
  const sa = sampleOf(a, samples, rng.fork("a"));
  const sb = sampleOf(b, samples, rng.fork("b"));
  const va = await options.encoder.embed(
    sa.map((r) => textOf(r, text)),
    { progress },
  );
  const vb = await options.encoder.embed(
    sb.map((r) => textOf(r, text)),
    { progress },
  );
  const ea = datasetEmbedding(va);
  const byLanguage: Record<string, number> = {};
  const languages = [...new Set(sb.map((r) => r.language).filter((l): l is string => Boolean(l)))].sort();
  if (languages.length > 1) {
    for (const language of languages) {
      byLanguage[language] = dot(ea, datasetEmbedding(vb.filter((_, i) => sb[i]!.language === language)));
    }
  }
  return {
    des: dot(ea, datasetEmbedding(vb)),
    samples_a: sa.length,
    samples_b: sb.length,
    model: options.encoder.id,
    seed,
    text,
    by_language: byLanguage,
  };
}

/** The full pairwise DES matrix of several sets (each set sampled once). */
export async function desMatrix(
  sets: { name: string; records: readonly EmbeddableRecord[] }[],
  options: DesOptions,
): Promise<{ names: string[]; matrix: number[][]; model: string; seed: number }> {
  const samples = options.samples ?? 500;
  const rng = new SeededRandom(options.seed ?? 0);
  const embeddings: Float64Array[] = [];
  for (const set of sets) {
    const sample = sampleOf(set.records, samples, rng.fork(set.name));
    embeddings.push(
      datasetEmbedding(
        await options.encoder.embed(
          sample.map((r) => textOf(r, options.text ?? "instruction")),
          options,
        ),
      ),
    );
  }
  return {
    names: sets.map((s) => s.name),
    matrix: embeddings.map((x) => embeddings.map((y) => dot(x, y))),
    model: options.encoder.id,
    seed: options.seed ?? 0,
  };
}
