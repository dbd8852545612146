/**
 * Reading one piece of a checkpoint at a time for the layer-streamed engine: one decoder layer's weights,
 * the embedding rows the prompts use (positioned reads, never the whole matrix), the final norm.
 */
import { open } from "node:fs/promises";
import { CftkitError } from "@cftkit/core";
import { type SafetensorsCheckpoint, dtypeSize, toFloat32 } from "@cftkit/safetensors";
import { type ModelConfig, type ParameterSpec, parameterSpecs } from "../model-config.js";
import { checkedTensorInfo } from "../model-folder.js";

function specsWithPrefix(config: ModelConfig, prefix: string): ParameterSpec[] {
  return parameterSpecs(config).filter((s) => s.name.startsWith(prefix));
}

/** The parameters of decoder layer `layer`, HF names. */
export function layerParameterSpecs(config: ModelConfig, layer: number): ParameterSpec[] {
  return specsWithPrefix(config, `model.layers.${layer}.`);
}

/** Check every tensor the streamed forward will read exists with the config's shape, before any work. */
export function checkStreamedTensors(ckpt: SafetensorsCheckpoint, dir: string, config: ModelConfig): void {
  for (const spec of parameterSpecs(config))
    if (spec.name !== "lm_head.weight") checkedTensorInfo(ckpt, dir, spec);
}

/** Decoder layer `layer`'s weights as float32, keyed by HF name. */
export async function readLayerWeights(
  ckpt: SafetensorsCheckpoint,
  dir: string,
  config: ModelConfig,
  layer: number,
): Promise<Map<string, Float32Array>> {
  const weights = new Map<string, Float32Array>();
  for (const spec of layerParameterSpecs(config, layer)) {
    checkedTensorInfo(ckpt, dir, spec);
    weights.set(spec.name, await ckpt.readTensor(spec.name));
  }
  return weights;
}

/** The final RMSNorm weight. */
export async function readFinalNorm(
  ckpt: SafetensorsCheckpoint,
  dir: string,
  config: ModelConfig,
): Promise<Float32Array> {
  const spec = specsWithPrefix(config, "model.norm.weight")[0]!;
  checkedTensorInfo(ckpt, dir, spec);
  return ckpt.readTensor(spec.name);
}

/** Rows `ids` of the embedding matrix as float32, one positioned read per distinct id. */
export async function readEmbeddingRows(
  ckpt: SafetensorsCheckpoint,
  dir: string,
  config: ModelConfig,
  ids: Iterable<number>,
): Promise<Map<number, Float32Array>> {
  const info = checkedTensorInfo(ckpt, dir, specsWithPrefix(config, "model.embed_tokens.weight")[0]!);
  const H = config.hiddenSize;
  const rowBytes = H * dtypeSize(info.dtype);
  const rows = new Map<number, Float32Array>();
  const sorted = [...new Set(ids)].sort((a, b) => a - b); // ascending: the reads move forward through the file
  const handle = await open(info.file, "r");
  try {
    const bytes = new Uint8Array(rowBytes);
    for (const id of sorted) {
      let filled = 0;
      while (filled < rowBytes) {
        const { bytesRead } = await handle.read(
          bytes,
          filled,
          rowBytes - filled,
          info.byteOffset + id * rowBytes + filled,
        );
        if (bytesRead === 0)
          throw new CftkitError(
            "SAFETENSORS_TRUNCATED",
            `${info.file}: file ends inside embedding row ${id}`,
          );
        filled += bytesRead;
      }
      rows.set(id, toFloat32(bytes, info.dtype, new Float32Array(H)));
    }
  } finally {
    await handle.close();
  }
  return rows;
}
