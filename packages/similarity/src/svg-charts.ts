import type { TopLevelSpec } from "vega-lite";

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Whole-number ticks on the x axis (layers, steps). */
  integerX?: boolean;
  /** Start the y axis at 0 (default); `false` scales it to the data (loss curves far from 0). */
  zeroY?: boolean;
}

/**
 * A Vega-Lite top-level spec (vega-lite's `TopLevelSpec`). Typed loosely in the public API because vega-lite is
 * ESM-only: naming its type would break the declarations for CommonJS consumers.
 */
export type VegaLiteSpec = { $schema?: string } & Record<string, unknown>;

/** Render a Vega-Lite spec to a standalone SVG string, headless (vega's SVG renderer needs no canvas). */
export function renderVegaLiteSvg(spec: VegaLiteSpec): Promise<string> {
  return renderSpec(spec as unknown as TopLevelSpec);
}

async function renderSpec(spec: TopLevelSpec): Promise<string> {
  // Loaded on the first chart: vega and vega-lite take longer to import than the rest of the package.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One line per series (e.g. drift per layer for several runs, or training loss per step). */
export function lineChartSvg(series: LineSeries[], options: ChartOptions): Promise<string> {
  const values = series.flatMap((s) => s.points.map((p) => ({ series: s.name, x: p.x, y: p.y })));
  return renderSpec({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title,
    width: options.width ?? 460,
    height: options.height ?? 260,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: options.xLabel,
        axis: options.integerX ? { tickMinStep: 1, format: "d" } : {},
      },
      y: { field: "y", type: "quantitative", title: options.yLabel, scale: { zero: options.zeroY ?? true } },
      color: { field: "series", type: "nominal", title: null },
    },
    config: { font: "sans-serif" },
  });
}

export interface ScatterPoint {
  x: number;
  y: number;
  group: string;
  label?: string;
}

/**
 * Sixteen colours far apart in hue and lightness (Tableau 10, then six more), so a projection of many
 * models keeps every group tellable apart; shapes repeat the distinction for colour-blind readers.
 */
const DISTINCT_COLOURS = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#1f1f1f",
  "#17becf",
  "#bcbd22",
  "#8c2d04",
  "#6a3d9a",
  "#00441b",
];

/** A scatter coloured and shaped by group (e.g. a 2-D projection of per-layer activations, one per model). */
export function scatterChartSvg(points: ScatterPoint[], options: ChartOptions): Promise<string> {
  return renderSpec({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title,
    width: options.width ?? 420,
    height: options.height ?? 320,
    data: { values: points.map((p) => ({ ...p, label: p.label ?? "" })) },
    mark: { type: "point", filled: true, size: 60 },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xLabel },
      y: { field: "y", type: "quantitative", title: options.yLabel },
      color: { field: "group", type: "nominal", title: null, scale: { range: DISTINCT_COLOURS } },
      shape: { field: "group", type: "nominal", title: null },
      tooltip: [{ field: "group" }, { field: "label" }],
    },
    config: { font: "sans-serif" },
  });
}
