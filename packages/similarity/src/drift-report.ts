import { formatTable, writeFileAtomic } from "@cftkit/core";
import { readActivationFile } from "./activation-file.js";
import { type LayerDrift, layerDriftFromFiles, modelDrift } from "./layer-drift.js";
import { lineChartSvg } from "./svg-charts.js";

/** `driftReport`'s result: drift per layer and of the model as a whole. */
export interface DriftReport {
  layers: LayerDrift[];
  model_level: ReturnType<typeof modelDrift>;
}

/**
 * Drift between two activation files (`cftkit similarity drift`): per layer, and of the model as a whole
 * (covariance across layers of the mean activations); with `chart`, also an SVG line chart per layer.
 */
export async function driftReport(
  pathA: string,
  pathB: string,
  options: { chart?: string } = {},
): Promise<DriftReport> {
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

/** The report in words (`cftkit similarity drift` without --json): a table per layer, then the model-level drift. */
export function describeDriftReport(report: DriftReport): string[] {
  const rows = report.layers.map((l) => [l.layer, l.spectral.toPrecision(6), l.frobenius.toPrecision(6)]);
  const { spectral, frobenius } = report.model_level;
  return [
    ...formatTable(["layer", "spectral", "frobenius"], rows),
    "",
    `per-model (covariance across layers of mean activations): spectral ${spectral.toPrecision(6)}, frobenius ${frobenius.toPrecision(6)}`,
  ];
}
