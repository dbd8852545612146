import { lineChartSvg, scatterChartSvg } from "@cftkit/similarity";
import { describe, expect, it } from "vitest";
import type {
  AbilityScores,
  ExperimentResults,
  PhasePairResult,
  StrategyResult,
} from "./experiment-results.js";
import { desSpearman, withSeeds } from "./seed-aggregate.js";
import { interval95 } from "./seed-statistics.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";
import { captionWarnings, whatHappened } from "./summary.js";

function scores(ea: number, ma: number): AbilityScores {
  return {
    ea,
    ma,
    overall: (ea + ma) / 2,
    tasks: {},
    task_abilities: {},
    english_loss: 1,
    multilingual_loss: 1,
    loss_by_language: {},
  };
}

function strategy(pair: string, name: string, dEa: number, dMa: number): StrategyResult {
  const p1 = scores(0.5, 0.3);
  const p2 = scores(0.5 + dEa, 0.3 + dMa);
  return {
    pair,
    strategy: name,
    phase1: p1,
    phase2: p2,
    delta: { ea: dEa, ma: dMa, overall: (dEa + dMa) / 2, english_loss: 0, multilingual_loss: 0 },
    mpd: 1,
    mpd_normalized: 1,
    drift: [{ layer: 0, spectral: 1, frobenius: 1 }],
    training: {
      steps: 2,
      final_loss: 4.9,
      seconds: 1,
      curve: [
        { step: 1, loss: 5 },
        { step: 2, loss: 4.9 },
      ],
    },
    seeds: [0],
    per_seed: [],
    ci95: { ea: interval95([p2.ea - p1.ea]), ma: interval95([p2.ma - p1.ma]) },
    details: {},
    plan: {},
  };
}

function pair(name: string, des: number, encoder = "causal-lm:base:init:tiny"): PhasePairResult {
  return {
    name,
    description: `${name} data → XQuAD`,
    phase1_data: `data/${name}.jsonl`,
    phase2_data: "data/phase2.jsonl",
    des,
    des_encoder: encoder,
    des_by_language: {},
    phase1: scores(0.5, 0.3),
    phase1_per_seed: [],
    phase1_training: { steps: 2, final_loss: 5, seconds: 1, curve: [] },
  };
}

// The similar pair has the LOWER DES but forgets less: DES ranks the pairs the wrong way.
const results: ExperimentResults = {
  name: "summary test",
  created_at: "2026-12-06T00:00:00.000Z",
  profile: "fast",
  seed: 0,
  seeds: [0],
  summary: "",
  spearman: desSpearman([], new Map()),
  backend: "embedded",
  model: { preset: "tiny", parameters: 1, config: {} },
  measures: [],
  pairs: [pair("similar", 0.8), pair("dissimilar", 0.9)],
  strategies: [
    strategy("similar", "baseline", -0.001, 0.02),
    strategy("dissimilar", "baseline", -0.03, 0.02),
    strategy("dissimilar", "ER_10", -0.01, 0.015),
    strategy("dissimilar", "LoRA", -0.04, 0.01),
  ],
  projection: { method: "tsne", points: [] },
  notes: [],
  seconds: 600,
  invocation_seconds: 3,
};

describe("the report says what happened first", () => {
  it("a first paragraph: did English drop, which strategies helped, how sure", () => {
    const text = whatHappened(results).join(" ");
    expect(text).toContain(
      "dissimilar: English ability dropped after plain Phase 2 (EA 0.500 → 0.470, −0.030)",
    );
    expect(text).toContain("Kept more English ability than the baseline: ER_10 (ΔEA −0.010, ΔMA +0.015).");
    expect(text).not.toMatch(/baseline: LoRA/);
    expect(text).toMatch(/How sure: one run with seed 0/);
    const small = whatHappened({ ...results, strategies: [strategy("similar", "baseline", 0.002, 0)] });
    expect(small.join(" ")).toContain("rose after plain Phase 2 (EA 0.500 → 0.502, +0.0020)");
  });

  it("warns where DES ranks the pairs the wrong way, in HTML and Markdown", () => {
    const [untrained, ranking] = captionWarnings(results);
    expect(untrained).toMatch(/DES \(similar 0\.800, dissimilar 0\.900\) was measured with an untrained/);
    expect(ranking).toMatch(/DES ranks dissimilar \(0\.900\) as more similar than similar \(0\.800\)/);
    const trained = [pair("similar", 0.95, "LaBSE"), pair("dissimilar", 0.9, "LaBSE")];
    expect(captionWarnings({ ...results, pairs: trained })).toEqual([]);
    const swapped = trained.map((p) => ({ ...p, des: p.name === "similar" ? 0.8 : 0.9 }));
    expect(captionWarnings({ ...results, pairs: swapped })).toHaveLength(1);
    const html = renderHtml(results, { drift: {}, training: {}, projection: "" });
    expect(html.indexOf("What happened")).toBeLessThan(html.indexOf("Forgetting risk"));
    expect(html).toMatch(/<p class="warn" role="alert">⚠ DES ranks dissimilar/);
    expect(html).toMatch(/<p class="warn" role="alert">⚠ DES \(similar/);
    expect(renderMarkdown(results)).toMatch(/> ⚠ \*\*Warning:\*\* DES ranks dissimilar/);
  });

  it("column titles are distinct, sections are titled with the pair, durations keep reused steps", () => {
    const html = renderHtml(results, { drift: {}, training: {}, projection: "" });
    const table = html.slice(html.indexOf("<h2>dissimilar: dissimilar data → XQuAD</h2>"));
    const heads = [
      ...table.slice(0, table.indexOf("</thead>")).matchAll(/<th scope="col">([^<]*)<\/th>/g),
    ].map((m) => m[1]);
    expect(heads).toContain("Overall P2");
    expect(new Set(heads).size).toBe(heads.length);
    expect(html).not.toMatch(/<h2>[^<]*data\/[^<]*<\/h2>/); // no file paths in section titles
    expect(html).toContain("10.0 min of steps (this invocation 0.1 min)");
  });

  it("loss charts start at their data, and projection groups get distinct colours", async () => {
    const loss = await lineChartSvg(
      [
        {
          name: "baseline",
          points: [
            { x: 1, y: 4.9 },
            { x: 2, y: 4.7 },
          ],
        },
      ],
      {
        title: "loss",
        xLabel: "step",
        yLabel: "loss",
        zeroY: false,
      },
    );
    const ticks = [...loss.matchAll(/<text[^>]*>([0-9.]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.min(...ticks.filter((t) => t > 2))).toBeGreaterThan(4);
    expect(ticks).not.toContain(0);
    const groups = Array.from({ length: 12 }, (_, i) => ({ x: i, y: i, group: `model ${i}` }));
    const svg = await scatterChartSvg(groups, { title: "t-SNE", xLabel: "1", yLabel: "2" });
    const fills = new Set([...svg.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]));
    expect(fills.size).toBeGreaterThanOrEqual(12);
  });

  it("with several seeds: intervals, paired differences from the baseline, Spearman, how sure", () => {
    // ΔEA per seed: baseline −0.03/−0.02/−0.025; ER_10 keeps ~0.015 more in every seed; LoRA scatters.
    const seeds = (pairName: string, name: string, eaDeltas: number[]) =>
      withSeeds(
        strategy(pairName, name, 0, 0),
        eaDeltas.map((d, seed) => ({ seed, phase1: scores(0.5, 0.3), phase2: scores(0.5 + d, 0.3 + 0.01) })),
        name === "baseline"
          ? undefined
          : [-0.03, -0.02, -0.025].map((d, seed) => ({
              seed,
              phase1: scores(0.5, 0.3),
              phase2: scores(0.5 + d, 0.31),
            })),
      );
    const strategies = [
      seeds("similar", "baseline", [-0.001, 0.002, 0.0]),
      seeds("dissimilar", "baseline", [-0.03, -0.02, -0.025]),
      seeds("dissimilar", "ER_10", [-0.015, -0.004, -0.011]),
      seeds("dissimilar", "LoRA", [-0.06, 0.01, -0.03]),
    ];
    const pairs = [pair("similar", 0.95, "LaBSE"), pair("dissimilar", 0.9, "LaBSE")];
    const baselines = new Map(strategies.filter((s) => s.strategy === "baseline").map((s) => [s.pair, s]));
    const multi: ExperimentResults = {
      ...results,
      seeds: [0, 1, 2],
      pairs,
      strategies,
      spearman: desSpearman(pairs, baselines),
    };
    const text = whatHappened(multi).join(" ");
    expect(strategies[1]!.ci95.ea.mean).toBeCloseTo(-0.025, 12);
    expect(text).toContain("dissimilar: English ability dropped after plain Phase 2 (ΔEA −0.025 ± 0.012");
    expect(text).toContain("similar: English ability did not change beyond seed noise");
    expect(text).toContain("Beyond seed noise: ER_10 kept more English;");
    expect(text).not.toMatch(/LoRA kept/);
    expect(multi.spearman.rho).toBe(-1); // the more similar pair declined less
    expect(text).toContain("Spearman ρ = -1.00 (the paper expects ρ < 0), but 2 points cannot make");
    expect(text).toContain("How sure: 3 seeds (0, 1, 2)");
    expect(renderMarkdown(multi)).toMatch(/\| baseline \| [^|]+ \| [^|]+ \| −0\.025 ± 0\.012 \|/);
  });
});
