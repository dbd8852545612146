import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExperiment, readExperiment } from "./experiment-schema.js";
import { writePlanGrid } from "./plan-grid.js";
import { compileExperiment } from "./strategy-compiler.js";
import { repoPath } from "./testing/repo-paths.js";

describe("compileExperiment", () => {
  it("compiles the CPU example: mixture trains on the union for as many steps as both phases", async () => {
    const path = repoPath("examples/cpu-tiny.yaml");
    const compiled = await compileExperiment(await readExperiment(path), { baseDir: dirname(path) });
    expect(compiled.plans).toHaveLength(8);
    for (const setting of ["xquad-similar", "alpaca-dissimilar"]) {
      const p1 = compiled.plans.find((p) => p.name === `${setting}.phase1`)!;
      const baseline = compiled.plans.find((p) => p.name === `${setting}.baseline`)!;
      const mixture = compiled.plans.find((p) => p.name === `${setting}.mixture`)!;
      expect(p1.base_model).toBe("init:tiny");
      expect(mixture.base_model).toBe("init:tiny");
      expect(baseline.base_model).toBe(p1.output_dir);
      expect(mixture.datasets.map((d) => d.path)).toEqual(
        [...p1.datasets, ...baseline.datasets].map((d) => d.path),
      );
      expect(mixture.hyperparameters.max_steps).toBe(
        (p1.hyperparameters.max_steps ?? 0) + (baseline.hyperparameters.max_steps ?? 0),
      );
      expect(mixture.phase).toBe("mixture");
    }
  });

  it("applies phase-1 and per-strategy overrides only where they belong", async () => {
    const experiment = parseExperiment({
      name: "o",
      base_model: "org/base",
      strategies: ["baseline", "LoRA"],
      training: { num_epochs: 2 },
      phase1_training: { learning_rate: 2e-5 },
      strategy_training: { LoRA: { learning_rate: 2e-4 } },
      settings: [
        {
          name: "s",
          phase1: { datasets: [{ path: "a.json", type: "alpaca" }] },
          phase2: { datasets: [{ path: "b.json", type: "alpaca" }] },
        },
      ],
    });
    const { plans } = await compileExperiment(experiment, { baseDir: "/x" });
    const lr = Object.fromEntries(plans.map((p) => [p.strategy, p.hyperparameters.learning_rate]));
    expect(lr).toEqual({ phase1: 2e-5, baseline: 1e-6, LoRA: 2e-4 });
    expect(plans.every((p) => p.hyperparameters.num_epochs === 2)).toBe(true);
    expect(plans.find((p) => p.strategy === "LoRA")!.lora).toEqual({ r: 64, alpha: 128, dropout: 0.05 });
    expect(plans[0]!.datasets[0]!.path).toBe("/x/a.json");
  });
});

describe("writePlanGrid for an embedded experiment", () => {
  it("lists `cftkit train run … --backend embedded` and writes no Axolotl config for init: models", async () => {
    const path = repoPath("examples/cpu-tiny.yaml");
    const experiment = await readExperiment(path);
    const out = await mkdtemp(join(tmpdir(), "cftkit-cpu-grid-"));
    try {
      const grid = await writePlanGrid(await compileExperiment(experiment, { baseDir: dirname(path) }), out, {
        backend: experiment.backend,
      });
      const commands = await readFile(grid.commandsPath, "utf8");
      expect(commands.match(/--backend embedded/g)).toHaveLength(8);
      // Phase-2 plans start from a real folder, so an Axolotl config exists for them too; init: plans have none.
      expect(
        grid.entries
          .filter((e) => e.axolotlConfigPath)
          .map((e) => e.strategy)
          .sort(),
      ).toEqual(["LoRA", "LoRA", "baseline", "baseline"]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
