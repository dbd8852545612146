import { CftkitError } from "@cftkit/core";
import type { LoraOptions } from "./lora.js";
import type { ModelConfig } from "./model-config.js";
import { compileUnfrozenPatterns } from "./unfrozen-parameters.js";

/** What both training engines are built from. */
export interface TrainEngineSetup {
  config: ModelConfig;
  /** Base weights in parameter order (float32 copies the engine may own). */
  weights: { name: string; shape: number[]; data: Float32Array }[];
  lora?: LoraOptions;
  /** Axolotl `unfrozen_parameters`; all parameters train when absent. */
  unfrozenParameters?: string[];
  seed: number;
  weightDecay: number;
}

/** Names of the base parameters that train (none under LoRA); refuses a selection that matches nothing. */
export function trainableBaseNames(setup: TrainEngineSetup): Set<string> {
  if (setup.lora) return new Set();
  const unfreeze = setup.unfrozenParameters ? compileUnfrozenPatterns(setup.unfrozenParameters) : () => true;
  const names = new Set(setup.weights.map((w) => w.name).filter((n) => unfreeze(n)));
  if (names.size === 0) {
    throw new CftkitError(
      "LM_NOTHING_TO_TRAIN",
      `unfrozenParameters ${JSON.stringify(setup.unfrozenParameters)} match no parameter of the model`,
      { details: { unfrozenParameters: setup.unfrozenParameters } },
    );
  }
  return names;
}

export function badCheckpointTensor(where: string, name: string): CftkitError {
  return new CftkitError("LM_BAD_CHECKPOINT", `${where}: no tensor "${name}" of the right size`, {
    details: { name },
  });
}
