import { CftkitError } from "@cftkit/core";
import { SafetensorsCheckpoint, writeSafetensors } from "@cftkit/safetensors";
import type { SampleMatrix } from "./covariance-drift.js";

/**
 * The activation file (docs/formats.md): a safetensors file with one F32 tensor `layer.<i>` of shape
 * [samples, hidden] per layer (0 = embeddings), each row one prompt's pooled hidden state, and string
 * metadata (`format: cftkit-activations`, `pooling`, `samples`, plus what the writer adds: model, prompts).
 */

/** One layer's pooled activations from an activation file. */
export interface ActivationLayer extends SampleMatrix {
  layer: number;
}

export interface ActivationFile {
  path: string;
  layers: ActivationLayer[];
  metadata: Record<string, string>;
}

/** Read every `layer.<i>` tensor of an activation file, in layer order. */
export async function readActivationFile(path: string): Promise<ActivationFile> {
  const checkpoint = await SafetensorsCheckpoint.open(path);
  try {
    const layers: ActivationLayer[] = [];
    for (const info of checkpoint.tensors) {
      const match = /^layer\.(\d+)$/.exec(info.name);
      if (!match) continue;
      if (info.shape.length !== 2) {
        throw new CftkitError(
          "ACTIVATIONS_BAD_SHAPE",
          `${path}: tensor ${info.name} has shape [${info.shape}], expected [samples, hidden_size]`,
        );
      }
      const data = await checkpoint.readTensor(info.name);
      layers.push({ layer: Number(match[1]), data, rows: info.shape[0]!, dim: info.shape[1]! });
    }
    if (layers.length === 0) {
      throw new CftkitError(
        "ACTIVATIONS_EMPTY",
        `${path}: no layer.<i> tensors (is this an activation file from \`cftkit lm hidden-states\`?)`,
      );
    }
    layers.sort((a, b) => a.layer - b.layer);
    return { path, layers, metadata: checkpoint.metadata };
  } finally {
    await checkpoint.close();
  }
}

/** What was written: layer count (embeddings included), sample count and hidden size. */
export interface ActivationFileShape {
  layers: number;
  samples: number;
  hidden: number;
}

/**
 * Write an activation file from per-sample pooled activations: `perSample[s][layer]` is sample s's vector
 * at that layer. Every sample must have the same layers and hidden size.
 */
export async function writeActivationFile(
  path: string,
  perSample: Float32Array[][],
  metadata: Record<string, string> = {},
): Promise<ActivationFileShape> {
  const first = perSample[0];
  if (!first?.length) throw new CftkitError("ACTIVATIONS_EMPTY", `${path}: no samples to write`);
  const layers = first.length;
  const hidden = first[0]!.length;
  for (const [s, sample] of perSample.entries()) {
    if (sample.length !== layers || sample.some((v) => v.length !== hidden)) {
      throw new CftkitError(
        "ACTIVATIONS_BAD_SHAPE",
        `${path}: sample ${s} has ${sample.length} layers of sizes [${sample.map((v) => v.length)}], expected ${layers} × ${hidden}`,
      );
    }
  }
  const tensors = Array.from({ length: layers }, (_, layer) => {
    const data = new Float32Array(perSample.length * hidden);
    for (const [s, sample] of perSample.entries()) data.set(sample[layer]!, s * hidden);
    return { name: `layer.${layer}`, dtype: "F32" as const, shape: [perSample.length, hidden], data };
  });
  await writeSafetensors(path, tensors, {
    format: "cftkit-activations",
    pooling: "mean",
    samples: String(perSample.length),
    ...metadata,
  });
  return { layers, samples: perSample.length, hidden };
}
