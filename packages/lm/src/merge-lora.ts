import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import { readModelConfig } from "./model-config.js";
import { readGenerationConfig, readModelWeights, writeModelFolder } from "./model-folder.js";
import { hasTokenizer, loadTokenizer } from "./tokenizer.js";
import { copyModelFiles, readTensorMap } from "./training-checkpoint.js";

export interface MergeLoraResult {
  outDir: string;
  /** Linear weights that received `scaling · B · A`. */
  mergedModules: number;
  scaling: number;
}

interface AdapterConfig {
  r: number;
  lora_alpha: number;
  use_rslora?: boolean;
  use_dora?: boolean;
}

async function readAdapterConfig(adapterDir: string): Promise<AdapterConfig> {
  const path = join(adapterDir, "adapter_config.json");
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new CftkitError("LM_LORA_ADAPTER_MISSING", `${path} cannot be read: ${(cause as Error).message}`, {
      cause,
    });
  }
  const c = value as Partial<AdapterConfig>;
  if (!(typeof c.r === "number" && c.r > 0 && typeof c.lora_alpha === "number"))
    throw new CftkitError(
      "LM_LORA_ADAPTER_INVALID",
      `${path}: needs a positive "r" and a numeric "lora_alpha"`,
    );
  if (c.use_dora)
    throw new CftkitError("LM_LORA_ADAPTER_INVALID", `${path}: DoRA adapters are not supported`);
  return c as AdapterConfig;
}

/**
 * Merge a PEFT LoRA adapter folder into its base model and write a complete model folder, as PEFT's
 * `merge_and_unload` (what `axolotl merge-lora` runs): for every adapted linear weight
 * `W ← W + scaling · B · A` with scaling = lora_alpha / r (lora_alpha / √r with rsLoRA).
 */
export async function mergeLoraAdapter(options: {
  baseModelDir: string;
  adapterDir: string;
  outDir: string;
}): Promise<MergeLoraResult> {
  const baseDir = resolve(options.baseModelDir);
  const outDir = resolve(options.outDir);
  const adapter = await readAdapterConfig(options.adapterDir);
  const scaling = adapter.lora_alpha / (adapter.use_rslora ? Math.sqrt(adapter.r) : adapter.r);
  const tensors = await readTensorMap(join(options.adapterDir, "adapter_model.safetensors"));
  const config = await readModelConfig(baseDir);
  const weights = await readModelWeights(baseDir, config);
  const byName = new Map(weights.map((w) => [w.name, w]));
  let merged = 0;
  for (const [name, a] of tensors) {
    const m = /^base_model\.model\.(.+)\.lora_A\.weight$/.exec(name);
    if (!m) continue;
    const b = tensors.get(`base_model.model.${m[1]}.lora_B.weight`);
    const w = byName.get(`${m[1]}.weight`);
    if (!b || !w)
      throw new CftkitError(
        "LM_LORA_ADAPTER_INVALID",
        `${options.adapterDir}: ${name} has no matching lora_B or base weight ${m[1]}.weight`,
      );
    const [out, inFeatures] = w.shape as [number, number];
    const r = a.length / inFeatures;
    if (!Number.isInteger(r) || b.length !== out * r)
      throw new CftkitError(
        "LM_LORA_ADAPTER_INVALID",
        `${name}: shapes do not fit ${m[1]}.weight [${out}, ${inFeatures}]`,
      );
    for (let i = 0; i < out; i++)
      for (let k = 0; k < r; k++) {
        const bik = b[i * r + k]! * scaling;
        if (bik === 0) continue;
        const row = i * inFeatures;
        const aRow = k * inFeatures;
        for (let j = 0; j < inFeatures; j++) w.data[row + j]! += bik * a[aRow + j]!;
      }
    merged++;
  }
  if (merged === 0)
    throw new CftkitError(
      "LM_LORA_ADAPTER_INVALID",
      `${options.adapterDir}: the adapter holds no lora_A/lora_B pairs`,
    );
  await copyModelFiles(baseDir, outDir);
  await writeModelFolder(outDir, {
    config,
    tensors: weights,
    tokenizer: (await hasTokenizer(baseDir)) ? await loadTokenizer(baseDir) : null,
    generationConfig: await readGenerationConfig(baseDir),
  });
  return { outDir, mergedModules: merged, scaling };
}
