import { writeFileAtomic } from "@cftkit/core";
import { readActivationFile } from "./activation-file.js";
import { type LayerDrift, layerDriftFromFiles, modelDrift } from "./layer-drift.js";
import { lineChartSvg } from "./svg-charts.js";

/**
 * Drift between two activation files (`cftkit similarity drift`): per layer, and of the model as a whole
 * (covariance across layers of the mean activations); with `chart`, also an SVG line chart per layer.
 */
export async function driftReport(
  pathA: string,
  pathB: string,
  options: { chart?: string } = {},
): Promise<{ layers: LayerDrift[]; model_level: ReturnType<typeof modelDrift> }> {
  const layers = await layerDriftFromFiles(pathA, pathB);
  const [a, b] = await Promise.all([readActivationFile(pathA), readActivationFile(pathB)]);
  const modelLevel = modelDrift(a.layers, b.layers);
  if (options.chart) {
    const series = [
      { name: `${pathB} vs ${pathA}`, points: layers.map((l) => ({ x: l.layer, y: l.spectral })) },
    ];
    const svg = await lineChartSvg(series, {
      title: "Representation drift per layer",
      xLabel: "layer",
      yLabel: "‖Σ_b − Σ_a‖₂",
      integerX: true,
    });
    await writeFileAtomic(options.chart, svg);
  }
  return { layers, model_level: modelLevel };
}
