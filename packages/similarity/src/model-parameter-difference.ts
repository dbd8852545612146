import { CftkitError, type ProgressReporter, silentProgress } from "@cftkit/core";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";

export interface MpdResult {
  path: string;
  /** (1/n) Σ_i ‖w(Θ_base, i) − w(Θ, i)‖₂ over the n parameter tensors (paper Definition 2). */
  mpd: number;
  /** mpd divided by the largest mpd of the comparison (paper Table 4). */
  normalized: number;
  tensors: number;
}

/**
 * MPD of one model against a base, streaming both checkpoints tensor by tensor (memory bounded by the
 * largest tensor). The L2 norm of a tensor difference is the Frobenius norm of the flattened difference.
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
    for await (const { info, data } of model.iterate()) {
      const baseInfo = base.info(info.name);
      if (baseInfo.shape.join("x") !== info.shape.join("x")) {
        throw new CftkitError(
          "MPD_SHAPE_MISMATCH",
          `tensor ${info.name}: shape [${info.shape}] in ${modelPath} vs [${baseInfo.shape}] in base`,
        );
      }
      const reference = await base.readTensor(info.name);
      let sq = 0;
      for (let i = 0; i < data.length; i++) {
        const d = data[i]! - reference[i]!;
        sq += d * d;
      }
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
