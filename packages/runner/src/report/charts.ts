import type { ExperimentResults } from "./experiment-results.js";
import type { ReportCharts } from "./render-html.js";

/** The report's SVG charts, drawn from results.json alone: drift and training loss per pair, and the projection. */
export async function renderCharts(results: ExperimentResults): Promise<ReportCharts> {
  const { lineChartSvg, scatterChartSvg } = await import("@cftkit/similarity");
  const charts: ReportCharts = { drift: {}, training: {}, projection: "" };
  for (const pair of results.pairs) {
    const rows = results.strategies.filter((s) => s.pair === pair.name);
    if (!rows.length) continue;
    charts.drift[pair.name] = await lineChartSvg(
      rows.map((s) => ({ name: s.strategy, points: s.drift.map((d) => ({ x: d.layer, y: d.spectral })) })),
      {
        title: `Drift per layer vs Phase 1 (${pair.name})`,
        xLabel: "layer (0 = embeddings)",
        yLabel: "‖Σ_P2 − Σ_P1‖₂",
        integerX: true,
      },
    );
    charts.training[pair.name] = await lineChartSvg(
      rows.map((s) => ({
        name: s.strategy,
        points: s.training.curve.map((c) => ({ x: c.step, y: c.loss })),
      })),
      {
        title: `Phase-2 training loss (${pair.name})`,
        xLabel: "step",
        yLabel: "loss",
        integerX: true,
        zeroY: false,
      },
    );
  }
  const points = results.projection.points;
  if (points.length) {
    charts.projection = await scatterChartSvg(
      points.map((p) => ({ x: p.x, y: p.y, group: p.model, label: `layer ${p.layer}` })),
      {
        title: `${results.projection.method === "tsne" ? "t-SNE" : "UMAP"} of per-layer mean activations`,
        xLabel: "dimension 1",
        yLabel: "dimension 2",
      },
    );
  }
  return charts;
}
