import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExperiment, readExperiment } from "./experiment-schema.js";
import { writePlanGrid } from "./plan-grid.js";
import { compileExperiment, compilePhase1, compilePhase2 } from "./strategy-compiler.js";
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

describe("compileExperiment checks what a run will need", () => {
  const experiment = (extra: Record<string, unknown>) =>
    parseExperiment({
      name: "checks",
      base_model: "org/base",
      strategies: ["baseline", "LoRA"],
      settings: [
        {
          name: "s",
          phase1: { datasets: [{ path: "p1.jsonl", type: "chat_template" }] },
          phase2: { datasets: [{ path: "missing-p2.jsonl", type: "chat_template" }] },
        },
      ],
      ...extra,
    });

  it("resolves a DeepSpeed json against the experiment's folder and refuses one that does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cftkit-compile-"));
    try {
      await writeFile(join(dir, "p1.jsonl"), "{}\n");
      await writeFile(join(dir, "ds.json"), "{}\n");
      const ok = await compileExperiment(experiment({ launcher: { deepspeed: "ds.json" } }), {
        baseDir: dir,
      });
      expect(ok.plans.every((p) => p.launcher.deepspeed === join(dir, "ds.json"))).toBe(true);
      await expect(
        compileExperiment(experiment({ launcher: { deepspeed: "zero7" } }), {
          baseDir: dir,
          experimentPath: join(dir, "exp.yaml"),
        }),
      ).rejects.toMatchObject({
        code: "EXPERIMENT_INVALID",
        message: expect.stringMatching(
          /exp\.yaml: launcher\.deepspeed: "zero7" is neither a preset .*looked for .*zero7/,
        ),
      });
      // Presets stay presets.
      const preset = await compileExperiment(experiment({ launcher: { deepspeed: "zero3" } }), {
        baseDir: dir,
      });
      expect(preset.plans[0]!.launcher.deepspeed).toBe("zero3");

      // Data files that do not exist are reported (per plan), those that do are not.
      expect(ok.missingInputs.map((m) => [m.plan, m.path])).toEqual([
        ["s.baseline", join(dir, "missing-p2.jsonl")],
        ["s.LoRA", join(dir, "missing-p2.jsonl")],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("says which learning rate LoRA uses: the full fine-tuning rate (with a note) unless the experiment sets one", async () => {
    const inherited = await compileExperiment(experiment({}), { baseDir: "/x" });
    const lora = inherited.plans.find((p) => p.strategy === "LoRA")!;
    expect(lora.hyperparameters.learning_rate).toBe(1e-6);
    expect(lora.inputs.learning_rate).toMatch(/full fine-tuning rate/);
    expect(inherited.notes).toEqual([
      expect.stringMatching(/paper does not give LoRA's rate.*strategy_training\.LoRA\.learning_rate/),
    ]);
    const own = await compileExperiment(
      experiment({ strategy_training: { LoRA: { learning_rate: 2e-4 } } }),
      {
        baseDir: "/x",
      },
    );
    expect(own.plans.find((p) => p.strategy === "LoRA")!.inputs.learning_rate).toBe(
      "0.0002 (strategy_training.LoRA.learning_rate)",
    );
    expect(own.notes).toEqual([]);
  });

  it("holds for the two-stage compile the runner uses: stage 1 checks DeepSpeed, stage 2 notes LoRA's rate", async () => {
    const bad = experiment({ launcher: { deepspeed: "zero7" } });
    expect(() => compilePhase1(bad, bad.settings[0]!, { baseDir: "/x" })).toThrow(
      /launcher\.deepspeed: "zero7" is neither a preset/,
    );
    const good = experiment({});
    const stage = compilePhase1(good, good.settings[0]!, { baseDir: "/x" });
    const phase2 = await compilePhase2(good, stage, { baseDir: "/x" });
    expect(phase2.plans.find((p) => p.strategy === "LoRA")!.inputs.learning_rate).toMatch(
      /full fine-tuning rate/,
    );
    expect(phase2.notes).toEqual([expect.stringMatching(/^s\.LoRA: LoRA uses the full fine-tuning/)]);
  });
});

describe("a setting's own strategies", () => {
  it("narrow the experiment's list for that setting (declared in the schema, not an ignored key)", async () => {
    const experiment = parseExperiment({
      name: "narrow",
      base_model: "org/base",
      strategies: ["baseline", "LoRA"],
      settings: [
        {
          name: "similar",
          strategies: ["baseline"],
          phase1: { datasets: [{ path: "a.jsonl", type: "chat_template" }] },
          phase2: { datasets: [{ path: "b.jsonl", type: "chat_template" }] },
        },
        {
          name: "dissimilar",
          phase1: { datasets: [{ path: "c.jsonl", type: "chat_template" }] },
          phase2: { datasets: [{ path: "b.jsonl", type: "chat_template" }] },
        },
      ],
    });
    const { plans } = await compileExperiment(experiment, { baseDir: "/x" });
    expect(plans.map((p) => p.name)).toEqual([
      "similar.phase1",
      "similar.baseline",
      "dissimilar.phase1",
      "dissimilar.baseline",
      "dissimilar.LoRA",
    ]);
  });
});
