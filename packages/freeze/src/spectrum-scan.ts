import { CftkitError, type ProgressReporter, silentProgress } from "@cftkit/core";
import { parseParameterName, SafetensorsCheckpoint, type TensorInfo } from "@cftkit/safetensors";
import type { SingularValueOptions } from "./linalg/singular-values.js";
import { SingularValuePool } from "./linalg/worker-pool.js";
import { SnrCache } from "./snr-cache.js";
import { type SnrParts, snrParts } from "./spectrum-snr.js";

export interface ScannedModule {
  /** Module name as Spectrum reports it (`model.layers.3.self_attn.q_proj`). */
  module: string;
  type: string;
  layer: number | null;
  /** The matrix the SVD ran on (a 1-D weight is 1×d; more dimensions are flattened to shape[0]×rest). */
  rows: number;
  cols: number;
  parts: SnrParts;
  cached: boolean;
}

export interface ScanOptions {
  /** Module types to scan (exact Spectrum types). */
  types: readonly string[];
  /** JSONL cache path (null: no cache). */
  cachePath?: string | null;
  /** Worker threads (default: available parallelism). */
  threads?: number;
  /** Share an existing pool instead of starting one. */
  pool?: SingularValuePool;
  progress?: ProgressReporter;
  /** Tuning of the singular-value solver (block size). */
  svd?: SingularValueOptions;
}

function matrixShape(info: TensorInfo): { rows: number; cols: number } {
  const s = info.shape;
  if (s.length === 0) return { rows: 1, cols: 1 };
  if (s.length === 1) return { rows: 1, cols: s[0] };
  return { rows: s[0], cols: s.slice(1).reduce((a, b) => a * b, 1) };
}

/**
 * Scans the `.weight` tensors of the chosen module types in a checkpoint (file or HF folder): singular values
 * of each weight in float32 → SNR parts. Tensors are streamed in file order; the SVDs run on a worker pool,
 * at most pool-size + 1 tensors in memory. Finished tensors are appended to the cache as they complete.
 */
export async function scanSpectrum(modelPath: string, options: ScanOptions): Promise<ScannedModule[]> {
  const progress = options.progress ?? silentProgress;
  const checkpoint = await SafetensorsCheckpoint.open(modelPath);
  const wanted = new Set(options.types);
  const targets = checkpoint.tensors.filter((t) => {
    const p = parseParameterName(t.name);
    return p.kind === "weight" && wanted.has(p.moduleType);
  });
  if (targets.length === 0) {
    await checkpoint.close();
    throw new CftkitError(
      "FREEZE_NO_MODULES",
      `${modelPath}: no weights of the module types ${[...wanted].join(", ")}`,
      {
        exitCode: 2,
        details: { types: [...wanted] },
      },
    );
  }
  const cache = await SnrCache.open(options.cachePath ?? null);
  const results = new Map<string, ScannedModule>();
  const todo: { info: TensorInfo; key: string }[] = [];
  for (const info of targets) {
    const key = await SnrCache.keyOf(info);
    const hit = cache.get(key);
    const p = parseParameterName(info.name);
    const { rows, cols } = matrixShape(info);
    if (hit)
      results.set(info.name, {
        module: p.module,
        type: p.moduleType,
        layer: p.layer,
        rows,
        cols,
        parts: hit.parts,
        cached: true,
      });
    else todo.push({ info, key });
  }
  progress.start("spectrum SNR", targets.length);
  let done = results.size;
  progress.update({ done, total: targets.length, values: { cached: results.size } });
  const pool = todo.length > 0 ? (options.pool ?? new SingularValuePool(options.threads)) : null;
  try {
    if (pool) {
      const inFlight = new Set<Promise<void>>();
      const limit = pool.size + 1;
      let failure: unknown = null;
      for await (const { info, data } of checkpoint.iterate({
        names: todo.map((t) => t.info.name),
        prefetchBytes: 0,
      })) {
        if (failure) break;
        const key = todo.find((t) => t.info.name === info.name)?.key as string;
        const p = parseParameterName(info.name);
        const { rows, cols } = matrixShape(info);
        const job = pool
          .singularValues(data, rows, cols, options.svd)
          .then(async (s) => {
            const parts = snrParts(s, rows, cols);
            await cache.put({ key, tensor: info.name, shape: info.shape, parts });
            results.set(info.name, {
              module: p.module,
              type: p.moduleType,
              layer: p.layer,
              rows,
              cols,
              parts,
              cached: false,
            });
            done++;
            progress.update({ done, total: targets.length, values: { tensor: info.name } });
          })
          .catch((error: unknown) => {
            failure ??= new CftkitError(
              "FREEZE_SVD_FAILED",
              `${info.name}: singular values failed: ${String(error)}`,
              {
                cause: error,
                details: { tensor: info.name },
              },
            );
          });
        const tracked: Promise<void> = job.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        if (inFlight.size >= limit) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
    }
  } finally {
    progress.stop();
    if (pool && !options.pool) await pool.close();
    await checkpoint.close();
  }
  return targets.map((t) => results.get(t.name) as ScannedModule);
}
