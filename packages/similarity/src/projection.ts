import { CftkitError, SeededRandom } from "@cftkit/core";
import { TSNE } from "@keckelt/tsne";
import { UMAP } from "umap-js";

export type ProjectionMethod = "tsne" | "umap";

export interface ProjectionOptions {
  method: ProjectionMethod;
  seed: number;
  /** t-SNE perplexity (default: min(30, (n − 1) / 3)). */
  perplexity?: number;
  /** t-SNE iterations (default 500). */
  iterations?: number;
  /** UMAP neighbours (default: min(15, n − 1)). */
  neighbors?: number;
}

/**
 * 2-D projection of row vectors (e.g. per-layer mean activations of several models, paper Figure 1),
 * reproducible for a seed. @keckelt/tsne draws from Math.random, so it runs with Math.random swapped
 * for a seeded generator for the duration of the (synchronous) call.
 */
export function project(rows: number[][], options: ProjectionOptions): [number, number][] {
  if (rows.length < 3)
    throw new CftkitError(
      "PROJECTION_TOO_FEW_POINTS",
      `a 2-D projection needs at least 3 points, got ${rows.length}`,
    );
  const rng = new SeededRandom(options.seed);
  if (options.method === "umap") {
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: options.neighbors ?? Math.max(2, Math.min(15, rows.length - 1)),
      random: () => rng.next(),
    });
    return umap.fit(rows).map((p) => [p[0]!, p[1]!]);
  }
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    const tsne = new TSNE({
      dim: 2,
      perplexity: options.perplexity ?? Math.max(2, Math.min(30, (rows.length - 1) / 3)),
      epsilon: 10,
    });
    tsne.initDataRaw(rows);
    const iterations = options.iterations ?? 500;
    for (let i = 0; i < iterations; i++) tsne.step();
    return (tsne.getSolution() as number[][]).map((p) => [p[0]!, p[1]!]);
  } finally {
    Math.random = original;
  }
}
