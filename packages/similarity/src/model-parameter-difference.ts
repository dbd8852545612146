import { CftkitError, type ProgressReporter, silentProgress } from "@cftkit/core";
import { ChunkScratch, readTensorChunks, SafetensorsCheckpoint } from "@cftkit/safetensors";

export interface MpdResult {
  path: string;
  /** (1/n) Σ_i ‖w(Θ_base, i) − w(Θ, i)‖₂ over the n parameter tensors (paper Definition 2). */
  mpd: number;
  /** mpd divided by the largest mpd of the comparison (paper Table 4). */
  normalized: number;
  tensors: number;
}

/**
 * MPD of one model against a base, streaming both checkpoints in lockstep chunks of 1M values (memory
 * stays at a few MB whatever the checkpoint or tensor size). The L2 norm of a tensor difference is the
 * Frobenius norm of the flattened difference.
 */
export async function modelParameterDifference(
  basePath: string,
  modelPath: string,
  options: { progress?: ProgressReporter } = {},
): Promise<{ mpd: number; tensors: number }> {
  const progress = options.progress ?? silentProgress;
  const base = await SafetensorsCheckpoint.open(basePath);
  const model = await SafetensorsCheckpoint.open(modelPath);
  try {
    const baseNames = new Set(base.tensors.map((t) => t.name));
    const missing = model.tensors.filter((t) => !baseNames.has(t.name)).map((t) => t.name);
    const extra = base.tensors.filter((t) => !model.has(t.name)).map((t) => t.name);
    if (missing.length || extra.length) {
      throw new CftkitError(
        "MPD_TENSOR_SET_MISMATCH",
        `${modelPath} and base ${basePath} hold different tensors (only in model: ${missing.slice(0, 5).join(", ") || "none"}; only in base: ${extra.slice(0, 5).join(", ") || "none"})`,
      );
    }
    progress.start(`mpd ${modelPath}`, model.tensors.length);
    let sum = 0;
    let count = 0;
    const modelScratch = new ChunkScratch();
    const baseScratch = new ChunkScratch();
    for (const info of model.tensors) {
      const baseInfo = base.info(info.name);
      if (baseInfo.shape.join("x") !== info.shape.join("x")) {
        throw new CftkitError(
          "MPD_SHAPE_MISMATCH",
          `tensor ${info.name}: shape [${info.shape}] in ${modelPath} vs [${baseInfo.shape}] in base`,
        );
      }
      // Both tensors in lockstep chunks through reused buffers: memory stays at a few MB.
      const baseChunks = readTensorChunks(baseInfo, baseScratch);
      let sq = 0;
      for await (const chunk of readTensorChunks(info, modelScratch)) {
        const reference = (await baseChunks.next()).value as Float32Array;
        for (let i = 0; i < chunk.length; i++) {
          const d = chunk[i]! - reference[i]!;
          sq += d * d;
        }
      }
      await baseChunks.return(undefined);
      sum += Math.sqrt(sq);
      count++;
      progress.update({ done: count });
    }
    progress.stop();
    return { mpd: count ? sum / count : 0, tensors: count };
  } finally {
    await base.close();
    await model.close();
  }
}

/** MPD of several models against one base, with the paper's normalisation by the largest. */
export async function compareModels(
  basePath: string,
  modelPaths: string[],
  options: { progress?: ProgressReporter } = {},
): Promise<MpdResult[]> {
  const raw: { path: string; mpd: number; tensors: number }[] = [];
  for (const path of modelPaths)
    raw.push({ path, ...(await modelParameterDifference(basePath, path, options)) });
  const largest = Math.max(...raw.map((r) => r.mpd));
  return raw.map((r) => ({ ...r, normalized: largest > 0 ? r.mpd / largest : 0 }));
}
