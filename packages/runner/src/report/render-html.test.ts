import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineChartSvg, scatterChartSvg } from "@cftkit/similarity";
import { describe, expect, it } from "vitest";
import { checkPage, chromiumAvailable } from "../../../../tools/testing/headless-chromium.js";
import type { AbilityScores, ExperimentResults, StrategyResult } from "./experiment-results.js";
import { desSpearman } from "./seed-aggregate.js";
import { interval95 } from "./seed-statistics.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";

function scores(ea: number, ma: number): AbilityScores {
  return {
    ea,
    ma,
    overall: (ea + ma) / 2,
    tasks: { "heldout_likelihood/en": ea, "heldout_likelihood/de": ma },
    task_abilities: { "heldout_likelihood/en": "EA", "heldout_likelihood/de": "MA" },
    english_loss: -Math.log(ea),
    multilingual_loss: -Math.log(ma),
    loss_by_language: { en: -Math.log(ea), de: -Math.log(ma) },
  };
}

function strategy(name: string, ea: number, ma: number): StrategyResult {
  const p1 = scores(0.02, 0.01);
  const p2 = scores(ea, ma);
  return {
    pair: "dissimilar",
    strategy: name,
    phase1: p1,
    phase2: p2,
    delta: {
      ea: ea - 0.02,
      ma: ma - 0.01,
      overall: (ea + ma) / 2 - 0.015,
      english_loss: p2.english_loss - p1.english_loss,
      multilingual_loss: p2.multilingual_loss - p1.multilingual_loss,
    },
    mpd: 0.5,
    mpd_normalized: 1,
    drift: [0, 1, 2].map((layer) => ({ layer, spectral: layer * ea, frobenius: layer * ea * 2 })),
    training: {
      steps: 3,
      final_loss: 4,
      seconds: 1,
      curve: [1, 2, 3].map((step) => ({ step, loss: 5 - step * ea })),
    },
    seeds: [0],
    per_seed: [],
    ci95: { ea: interval95([p2.ea - p1.ea]), ma: interval95([p2.ma - p1.ma]) },
    details: { frozen: ["model.layers.1.self_attn.q_proj"] },
    plan: { learning_rate: 0.003, "<script>": "escaped" },
  };
}

const results: ExperimentResults = {
  name: "report test",
  created_at: "2026-11-27T00:00:00.000Z",
  profile: "fast",
  seed: 0,
  seeds: [0],
  summary: "",
  spearman: desSpearman([], new Map()),
  backend: "embedded",
  model: { preset: "tiny", parameters: 124224, config: { hidden_size: 64 } },
  measures: ["EA = mean of English task scores."],
  pairs: [
    {
      name: "dissimilar",
      description: "",
      phase1_data: "alpaca",
      phase2_data: "xquad",
      des: 0.81,
      des_encoder: "lm",
      des_by_language: {},
      phase1: scores(0.02, 0.01),
      phase1_per_seed: [],
      phase1_training: { steps: 5, final_loss: 4, seconds: 1, curve: [] },
    },
  ],
  strategies: [strategy("baseline", 0.015, 0.02), strategy("ER_10", 0.025, 0.018)],
  projection: { method: "tsne", points: [] },
  notes: ["a <b>note</b> that must be escaped"],
  seconds: 61,
};

describe("report", () => {
  it("Markdown holds the EA/MA table with signed deltas and the paper's numbers, labelled", () => {
    const md = renderMarkdown(results);
    expect(md).toContain("| baseline | 0.020 | 0.015 | −0.005 |");
    expect(md).toContain("| ER_10 | 0.020 | 0.025 | +0.005 |");
    expect(md).toMatch(/The paper's numbers \(Mistral-7B, 7B scale/);
  });

  it("HTML escapes user text, colours deltas by direction and inlines the charts", async () => {
    const drift = await lineChartSvg(
      [
        {
          name: "baseline",
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 2 },
          ],
        },
      ],
      { title: "Drift", xLabel: "layer", yLabel: "norm" },
    );
    const html = renderHtml(results, { drift: { dissimilar: drift }, training: {}, projection: "" });
    expect(html).not.toContain("<b>note</b>");
    expect(html).toContain("&lt;b&gt;note&lt;/b&gt;");
    expect(html).toMatch(/<td class="num down">−0\.005<\/td>/); // EA dropped: red
    expect(html).toMatch(/<td class="num up">\+0\.005<\/td>/); // EA rose: green
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained: no script, no network
  });

  it.skipIf(!chromiumAvailable())(
    "loads in headless Chromium without console errors and shows tables and charts",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "cftkit-report-"));
      const drift = await lineChartSvg(
        results.strategies.map((s) => ({
          name: s.strategy,
          points: s.drift.map((d) => ({ x: d.layer, y: d.spectral })),
        })),
        { title: "Drift per layer", xLabel: "layer", yLabel: "spectral norm", integerX: true },
      );
      const projection = await scatterChartSvg(
        [0, 1, 2, 3].map((i) => ({ x: i, y: i * i, group: i < 2 ? "phase 1" : "phase 2" })),
        { title: "t-SNE", xLabel: "dimension 1", yLabel: "dimension 2" },
      );
      const file = join(dir, "index.html");
      writeFileSync(file, renderHtml(results, { drift: { dissimilar: drift }, training: {}, projection }));
      const page = await checkPage(file, ["table tbody tr th", "figure svg", "h2"]);
      writeFileSync(join(dir, "report.png"), page.screenshot);
      expect(page.consoleErrors).toEqual([]);
      expect(page.texts["table tbody tr th"]).toEqual(expect.arrayContaining(["baseline", "ER_10"]));
      expect(page.texts["figure svg"]).toHaveLength(2);
      expect(page.texts.h2).toEqual(expect.arrayContaining(["The paper's numbers, for comparison"]));
      expect(page.screenshot.length).toBeGreaterThan(20_000);
    },
  );
});
