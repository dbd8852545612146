import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPage, chromiumAvailable } from "../../../tools/testing/headless-chromium.js";
import { lineChartSvg, scatterChartSvg } from "./svg-charts.js";

const runs = [
  { name: "baseline", points: [0, 1, 2, 3].map((x) => ({ x, y: x * 0.5 })) },
  { name: "ER_10", points: [0, 1, 2, 3].map((x) => ({ x, y: x * 0.2 })) },
  { name: "LF_H2", points: [0, 1, 2, 3].map((x) => ({ x, y: 1 - x * 0.1 })) },
];

describe("SVG charts", () => {
  it("draw one line per run with labelled axes", async () => {
    const svg = await lineChartSvg(runs, {
      title: "Drift per layer",
      xLabel: "layer",
      yLabel: "spectral norm",
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("layer");
    expect(svg).toContain("spectral norm");
    // vega draws each series as its own line mark (one `mark-line` group per colour).
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(runs.length);
    for (const run of runs) expect(svg).toContain(run.name);
  });

  it.skipIf(!chromiumAvailable())(
    "open in headless Chromium without errors and render non-blank",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "cftkit-svg-"));
      const line = await lineChartSvg(runs, {
        title: "Drift per layer",
        xLabel: "layer",
        yLabel: "spectral norm",
      });
      const scatter = await scatterChartSvg(
        [
          { x: 0, y: 0, group: "phase 1" },
          { x: 1, y: 2, group: "phase 2" },
          { x: 2, y: 1, group: "phase 2" },
        ],
        { title: "t-SNE", xLabel: "dim 1", yLabel: "dim 2" },
      );
      const file = join(dir, "charts.html");
      writeFileSync(
        file,
        `<!doctype html><html><head><meta charset="utf-8"></head><body>${line}${scatter}</body></html>`,
      );
      const page = await checkPage(file, [
        "svg .role-axis-title text",
        "svg .role-legend-label text",
        "svg path",
      ]);
      expect(page.consoleErrors).toEqual([]);
      expect(page.texts["svg .role-axis-title text"]).toEqual(
        expect.arrayContaining(["layer", "spectral norm", "dim 1", "dim 2"]),
      );
      expect(page.texts["svg .role-legend-label text"]).toEqual(
        expect.arrayContaining(["baseline", "ER_10", "LF_H2"]),
      );
      expect(page.screenshot.length).toBeGreaterThan(5000); // a blank PNG of this size compresses to ~ a few hundred bytes
      writeFileSync(join(dir, "charts.png"), page.screenshot);
    },
  );
});
