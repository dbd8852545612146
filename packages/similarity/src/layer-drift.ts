import { CftkitError } from "@cftkit/core";
import { readActivationFile, type ActivationLayer } from "./activation-file.js";
import { covarianceShift } from "./covariance-drift.js";

export interface LayerDrift {
  layer: number;
  /** ‖Σ_b − Σ_a‖₂ of the per-layer sample covariances. */
  spectral: number;
  frobenius: number;
}

/** Drift per layer between two sets of per-layer activations (the paper's Figures 2-3). */
export function layerDrift(a: ActivationLayer[], b: ActivationLayer[]): LayerDrift[] {
  if (a.length !== b.length) {
    throw new CftkitError("DRIFT_LAYER_MISMATCH", `activation files have ${a.length} and ${b.length} layers`);
  }
  return a.map((la, i) => {
    const lb = b[i]!;
    if (la.layer !== lb.layer)
      throw new CftkitError("DRIFT_LAYER_MISMATCH", `layer ${la.layer} vs ${lb.layer}`);
    return { layer: la.layer, ...covarianceShift(la, lb) };
  });
}

/** {@link layerDrift} between two activation files written by `cftkit lm hidden-states`. */
export async function layerDriftFromFiles(pathA: string, pathB: string): Promise<LayerDrift[]> {
  const [a, b] = await Promise.all([readActivationFile(pathA), readActivationFile(pathB)]);
  for (const [la, lb] of a.layers.map((l, i) => [l, b.layers[i]] as const)) {
    if (lb && la.rows !== lb.rows) {
      throw new CftkitError(
        "DRIFT_SAMPLE_MISMATCH",
        `${pathA} has ${la.rows} samples and ${pathB} ${lb.rows} at layer ${la.layer}: both must come from the same prompts`,
      );
    }
  }
  return layerDrift(a.layers, b.layers);
}

/**
 * The paper's per-model formulation: each model is summarised by its per-layer mean activations (one
 * d-vector per layer); the covariance is taken across layers, and the shift between two models is the
 * norm of the difference of those covariances.
 */
export function modelDrift(
  a: ActivationLayer[],
  b: ActivationLayer[],
): { spectral: number; frobenius: number } {
  const means = (layers: ActivationLayer[]) => {
    const dim = layers[0]!.dim;
    const out = new Float64Array(layers.length * dim);
    layers.forEach((l, i) => {
      for (let r = 0; r < l.rows; r++)
        for (let j = 0; j < dim; j++) out[i * dim + j]! += l.data[r * dim + j]! / l.rows;
    });
    return { data: out, rows: layers.length, dim };
  };
  return covarianceShift(means(a), means(b));
}
