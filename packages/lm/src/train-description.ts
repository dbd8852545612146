import type { TrainResult } from "./train-causal-lm.js";

/** A training run in words (`cftkit lm train` without --json): steps, losses, speed, parameters and files. */
export function describeTrainResult(result: TrainResult): string[] {
  const resumed = result.resumedFromStep ? ` (resumed from ${result.resumedFromStep})` : "";
  const evalLoss = result.evalLoss !== undefined ? `  eval loss: ${result.evalLoss.toFixed(4)}` : "";
  return [
    `steps: ${result.steps}${resumed}`,
    `final loss: ${result.finalLoss.toFixed(4)}${evalLoss}`,
    `tokens/s: ${result.tokensPerSecond.toFixed(0)}`,
    `trainable parameters: ${result.trainableParameters} of ${result.totalParameters}`,
    `model: ${result.modelDir}${result.adapterDir ? `  adapter: ${result.adapterDir}` : ""}`,
    `metrics: ${result.metricsPath}`,
  ];
}
