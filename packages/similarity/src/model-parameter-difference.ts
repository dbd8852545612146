import { CftkitError, formatTable, type ProgressReporter, silentProgress } from "@cftkit/core";
import { ChunkScratch, readTensorChunks, SafetensorsCheckpoint } from "@cftkit/safetensors";

/**
 * The paper's Model Parameter Difference (Definition 2, docs/semantics.md "MPD"): two models Θ1, Θ2 fine-tuned
 * from the same base Θ_B on datasets D1 and D2 are compared directly,
 *   f_MPD(Θ1, Θ2; Θ_B) = (1/n) Σ_i ‖w(Θ1,i) − w(Θ2,i)‖₂   over the n parameter tensors.
 * Θ_B is not in the sum (it is what makes the two comparable). Table 4 fixes Θ1 — the *reference* (there the
 * MultiAlpaca-tuned model) — and compares several Θ2 with it, each divided by the largest. Given a base model as
 * the reference, the same sum measures each model's distance from that base instead, which is a different
 * quantity (fine-tuning weight change), not the paper's MPD.
 */
export interface MpdResult {
  path: string;
  /** (1/n) Σ_i ‖w(Θ_reference, i) − w(Θ, i)‖₂ over the n parameter tensors (Definition 2). */
  mpd: number;
  /** mpd divided by the largest mpd of the comparison (Table 4). */
  normalized: number;
  tensors: number;
}

/**
 * Definition 2 between a reference model and one other model, streaming both checkpoints in lockstep chunks
 * of 1M values (memory stays at a few MB whatever the checkpoint or tensor size). The L2 norm of a tensor
 * difference is the Frobenius norm of the flattened difference. Symmetric in its two models.
 */
export async function modelParameterDifference(
  referencePath: string,
  modelPath: string,
  options: { progress?: ProgressReporter } = {},
): Promise<{ mpd: number; tensors: number }> {
  const progress = options.progress ?? silentProgress;
  const reference = await SafetensorsCheckpoint.open(referencePath);
  const model = await SafetensorsCheckpoint.open(modelPath);
  try {
    const referenceNames = new Set(reference.tensors.map((t) => t.name));
    const missing = model.tensors.filter((t) => !referenceNames.has(t.name)).map((t) => t.name);
    const extra = reference.tensors.filter((t) => !model.has(t.name)).map((t) => t.name);
    if (missing.length || extra.length) {
      throw new CftkitError(
        "MPD_TENSOR_SET_MISMATCH",
        `${modelPath} and the reference ${referencePath} hold different tensors (only in model: ${missing.slice(0, 5).join(", ") || "none"}; only in reference: ${extra.slice(0, 5).join(", ") || "none"})`,
      );
    }
    progress.start(`mpd ${modelPath}`, model.tensors.length);
    let sum = 0;
    let count = 0;
    const modelScratch = new ChunkScratch();
    const referenceScratch = new ChunkScratch();
    for (const info of model.tensors) {
      const referenceInfo = reference.info(info.name);
      if (referenceInfo.shape.join("x") !== info.shape.join("x")) {
        throw new CftkitError(
          "MPD_SHAPE_MISMATCH",
          `tensor ${info.name}: shape [${info.shape}] in ${modelPath} vs [${referenceInfo.shape}] in the reference ${referencePath}`,
        );
      }
      // Both tensors in lockstep chunks through reused buffers: memory stays at a few MB.
      const referenceChunks = readTensorChunks(referenceInfo, referenceScratch);
      let sq = 0;
      for await (const chunk of readTensorChunks(info, modelScratch)) {
        const reference = (await referenceChunks.next()).value as Float32Array;
        for (let i = 0; i < chunk.length; i++) {
          const d = chunk[i]! - reference[i]!;
          sq += d * d;
        }
      }
      await referenceChunks.return(undefined);
      sum += Math.sqrt(sq);
      count++;
      progress.update({ done: count });
    }
    progress.stop();
    return { mpd: count ? sum / count : 0, tensors: count };
  } finally {
    await reference.close();
    await model.close();
  }
}

/** Definition 2 of several models against one reference model, each divided by the largest (Table 4). */
export async function compareModels(
  referencePath: string,
  modelPaths: string[],
  options: { progress?: ProgressReporter } = {},
): Promise<MpdResult[]> {
  const raw: { path: string; mpd: number; tensors: number }[] = [];
  for (const path of modelPaths)
    raw.push({ path, ...(await modelParameterDifference(referencePath, path, options)) });
  const largest = Math.max(...raw.map((r) => r.mpd));
  return raw.map((r) => ({ ...r, normalized: largest > 0 ? r.mpd / largest : 0 }));
}

/** Definition 2 in words, as `cftkit similarity mpd` prints it above its table. */
export const MPD_DEFINITION =
  "MPD (paper Definition 2): mean over parameter tensors of ‖w(reference) − w(model)‖₂, normalised by the largest of the models compared (Table 4)";

/** `mpdReport`'s self-describing document (`cftkit similarity mpd --json`); `base` is `reference`'s earlier name. */
export interface MpdReport {
  definition: string;
  reference: string;
  base: string;
  models: MpdResult[];
}

/** `compareModels` as a self-describing document. */
export async function mpdReport(
  reference: string,
  modelPaths: string[],
  options: { progress?: ProgressReporter } = {},
): Promise<MpdReport> {
  const results = await compareModels(reference, modelPaths, options);
  const models = results.map(({ path, mpd, normalized, tensors }) => ({ path, mpd, normalized, tensors }));
  return { definition: MPD_DEFINITION, reference, base: reference, models };
}

/** The report in words (`cftkit similarity mpd` without --json): the definition, the reference, a table per model. */
export function describeMpdReport(report: MpdReport): string[] {
  const rows = report.models.map((r) => [r.path, r.mpd.toPrecision(6), r.normalized.toFixed(3)]);
  return [
    report.definition,
    `reference: ${report.reference}; models compared with it:`,
    ...formatTable(["model", "MPD", "normalised"], rows),
  ];
}
