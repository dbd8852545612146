import { CftkitError } from "@cftkit/core";
import { SafetensorsCheckpoint, writeSafetensors } from "@cftkit/safetensors";
import type { SampleMatrix } from "./covariance-drift.js";

/** One layer's pooled activations from an activation file (DESIGN.md: `layer.<i>`, F32 [samples, hidden]). */
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

/**
 * Write an activation file: `layers[i]` (F32, `samples × hidden` values, row-major) as tensor `layer.<i>`, with
 * `format: cftkit-activations` and `samples` in the metadata next to the caller's keys.
 */
export async function writeActivationFile(
  path: string,
  layers: Float32Array[],
  samples: number,
  metadata: Record<string, string> = {},
): Promise<void> {
  const hidden = samples > 0 && layers.length > 0 ? layers[0]!.length / samples : 0;
  const tensors = layers.map((data, i) => {
    if (data.length !== samples * hidden)
      throw new CftkitError(
        "ACTIVATIONS_BAD_SHAPE",
        `layer ${i} has ${data.length} values, expected ${samples} samples × ${hidden}`,
      );
    return { name: `layer.${i}`, dtype: "F32" as const, shape: [samples, hidden], data };
  });
  await writeSafetensors(path, tensors, {
    format: "cftkit-activations",
    ...metadata,
    samples: String(samples),
  });
}
