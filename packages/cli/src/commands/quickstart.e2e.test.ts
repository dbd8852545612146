import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPage, chromiumAvailable } from "../../../../tools/testing/headless-chromium.js";
import type { ExperimentResults } from "@cftkit/runner";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

interface LogLine {
  step: string;
  status: string;
}

function logLines(out: string): LogLine[] {
  const file = join(out, "run.log");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LogLine);
}

/** Start the quickstart and SIGKILL it as soon as the first Phase-1 training step is done. */
function runUntilPhase1Done(out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["packages/cli/bin/cftkit.js", "quickstart", "--profile", "fast", "--out", out, "--quiet"],
      {
        cwd: repoRoot,
        env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
        stdio: "ignore",
      },
    );
    const timer = setInterval(() => {
      if (logLines(out).some((l) => l.step === "phase1-similar" && l.status === "done")) {
        child.kill("SIGKILL");
      }
    }, 200);
    child.on("exit", (_code, signal) => {
      clearInterval(timer);
      if (signal === "SIGKILL") resolve();
      else reject(new Error("the quickstart finished before it could be killed"));
    });
  });
}

describe("cftkit quickstart (fast profile), end to end", () => {
  it("resumes after SIGKILL without redoing finished steps, and writes a report that loads in Chromium", async () => {
    const out = mkdtempSync(join(tmpdir(), "cftkit-quickstart-"));
    await runUntilPhase1Done(out);
    const before = logLines(out);
    const finished = before.filter((l) => l.status === "done").map((l) => l.step);
    expect(finished).toContain("phase1-similar");

    const { code, stdout, stderr } = await runCftkit(
      ["quickstart", "--profile", "fast", "--out", out, "--json"],
      { timeoutMs: 1_500_000 },
    );
    expect(code, stderr).toBe(0);
    const after = logLines(out).slice(before.length);
    for (const step of finished) {
      expect(after.find((l) => l.step === step)?.status, step).toBe("reused");
    }

    const { results } = JSON.parse(stdout) as { results: ExperimentResults };
    for (const f of ["index.html", "report.md", "results.json"])
      expect(existsSync(join(out, "report", f))).toBe(true);
    expect(results.pairs.map((p) => p.name)).toEqual(["similar", "dissimilar"]);
    for (const p of results.pairs) expect(p.des).toBeGreaterThan(-1);
    const strategies = results.strategies.filter((s) => s.pair === "dissimilar").map((s) => s.strategy);
    expect(strategies).toEqual(["baseline", "ER_10", "GR_5", "LF_H2", "Spectrum", "LoRA"]);
    for (const s of results.strategies) {
      expect(Number.isFinite(s.phase1.english_loss) && Number.isFinite(s.phase2.english_loss)).toBe(true);
      expect(Number.isFinite(s.phase2.ea) && Number.isFinite(s.phase2.ma)).toBe(true);
      expect(s.drift.length).toBeGreaterThan(1);
      expect(s.training.curve.map((c) => c.step)).toEqual(
        Array.from({ length: s.training.steps }, (_, i) => i + 1),
      );
      expect(Number.isFinite(s.mpd)).toBe(true);
    }

    // Every model is trained and evaluated with 3 seeds; the report gives intervals over them.
    expect(results.seeds.length).toBeGreaterThanOrEqual(3);
    expect(results.summary.length).toBeGreaterThan(0);
    expect(results.summary).toContain(`How sure: ${results.seeds.length} seeds`);
    expect(readFileSync(join(out, "report", "report.md"), "utf8")).toContain(results.summary);
    for (const s of results.strategies) {
      expect(s.seeds).toEqual(results.seeds);
      expect(s.per_seed.map((p) => p.seed)).toEqual(results.seeds);
      for (const k of ["ea", "ma"] as const) {
        const ci = s.ci95[k];
        expect(ci.n).toBe(results.seeds.length);
        expect(ci.mean).toBeCloseTo(s.delta[k], 12);
        expect(ci.low!).toBeLessThanOrEqual(ci.mean);
        expect(ci.high!).toBeGreaterThanOrEqual(ci.mean);
      }
      if (s.strategy === "baseline") expect(s.vs_baseline).toBeUndefined();
      else expect(typeof s.vs_baseline!.distinguishable.ea).toBe("boolean");
    }
    expect(results.spearman.n).toBe(2);
    expect(results.spearman.can_be_significant).toBe(false);
    expect(results.spearman.points.map((p) => p.pair)).toEqual(["similar", "dissimilar"]);
    for (const p of results.pairs) expect(p.phase1.tasks).toHaveProperty("xquad_f1/en");

    if (chromiumAvailable()) {
      const page = await checkPage(join(out, "report", "index.html"), ["table tbody tr th", "figure svg"]);
      expect(page.consoleErrors).toEqual([]);
      expect(page.texts["table tbody tr th"]).toEqual(
        expect.arrayContaining(["baseline", "ER_10", "GR_5", "LF_H2", "Spectrum", "LoRA"]),
      );
      expect(page.texts["figure svg"]!.length).toBeGreaterThanOrEqual(3);
      expect(page.screenshot.length).toBeGreaterThan(50_000);
    }
  });
});
