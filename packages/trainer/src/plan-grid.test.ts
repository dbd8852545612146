import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { checkAxolotlConfig } from "./axolotl-schema-check.js";
import { readExperiment } from "./experiment-schema.js";
import { experimentPlansOptionsSchema, writeExperimentPlans, writePlanGrid } from "./plan-grid.js";
import { experimentPlansDocument, planGridDocument } from "./train-documents.js";
import { compileExperiment } from "./strategy-compiler.js";
import { loadAxolotlSchema, repoPath } from "./testing/repo-paths.js";
import { readTrainingPlan } from "./training-plan.js";

const schema = loadAxolotlSchema();
const tmp = mkdtempSync(join(tmpdir(), "cftkit-grid-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Selections written in the three forms @cftkit/freeze produces; the test keeps its own copy to compare. */
const SELECTIONS = {
  LF_H1: ["model.layers.0.", "model.layers.2.", "model.layers.5."],
  LF_H2: ["model.layers.1.self_attn.q_proj", "model.layers.3.self_attn.k_proj", "model.layers.4.mlp"],
  Spectrum: [
    "^lm_head.weight$",
    "^model.embed_tokens.weight$",
    "model.layers.6.mlp.down_proj",
    "model.layers.7.self_attn.v_proj",
  ],
};

async function stageExample(example: string, withSelections: boolean): Promise<string> {
  const dir = join(tmp, `${example}-${withSelections ? "full" : "pending"}`, "examples");
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${example}.yaml`);
  await copyFile(repoPath(`examples/${example}.yaml`), target);
  if (withSelections) {
    const experiment = await readExperiment(target);
    for (const setting of experiment.settings) {
      for (const [strategy, file] of Object.entries(setting.selections)) {
        const path = resolve(dir, file as string);
        await mkdir(dirname(path), { recursive: true });
        const list = SELECTIONS[strategy as keyof typeof SELECTIONS];
        if (strategy === "Spectrum") {
          const body = [
            "unfrozen_parameters:",
            ...list.slice(0, 2).map((p) => `- ${p}`),
            "# mlp.down_proj layers",
          ];
          body.push(`- ${list[2]}`, "# self_attn.v_proj layers", `- ${list[3]}`);
          await writeFile(path, `${body.join("\n")}\n`);
        } else if (strategy === "LF_H2") {
          await writeFile(path, JSON.stringify({ scores: {}, frozen: [], unfrozen_parameters: list }));
        } else {
          await writeFile(path, `${list.map((p) => `- ${p}`).join("\n")}\n`);
        }
      }
    }
  }
  return target;
}

/** An Axolotl config read from the grid folder with its relative paths resolved (as Axolotl run there sees them). */
function configResolvedFrom(config: Record<string, unknown>, dir: string): Record<string, unknown> {
  const local = (p: unknown) => (typeof p === "string" && /^\.\.?\//.test(p) ? resolve(dir, p) : p);
  return {
    ...config,
    base_model: local(config.base_model),
    output_dir: resolve(dir, config.output_dir as string),
    deepspeed: resolve(dir, config.deepspeed as string),
    datasets: (config.datasets as Record<string, unknown>[]).map((d) => ({
      ...d,
      path: resolve(dir, d.path as string),
    })),
  };
}

const GRID = [
  {
    example: "paper-mistral-7b",
    base: "mistralai/Mistral-7B-v0.1",
    instruct: "mistralai/Mistral-7B-Instruct-v0.1",
  },
  {
    example: "paper-llama3-8b",
    base: "meta-llama/Meta-Llama-3-8B",
    instruct: "meta-llama/Meta-Llama-3-8B-Instruct",
  },
];

describe.each(GRID)("the paper grid from examples/$example.yaml", ({ example, base, instruct }) => {
  it("writes every plan and an Axolotl YAML with only accepted keys and the paper's hyper-parameters", async () => {
    const experimentPath = await stageExample(example, true);
    const experiment = await readExperiment(experimentPath);
    const compiled = await compileExperiment(experiment, {
      baseDir: dirname(experimentPath),
      experimentPath,
    });
    const outDir = join(dirname(experimentPath), "..", "plans");
    const grid = await writePlanGrid(compiled, outDir);

    // alpaca-multialpaca: Phase 1 + 9 strategies; instruct-multialpaca: 8 (mixture needs Phase-1 data).
    expect(grid.entries).toHaveLength(18);
    expect(grid.skipped).toEqual([
      expect.objectContaining({ setting: "instruct-multialpaca", strategy: "mixture" }),
    ]);
    expect(compiled.pending).toEqual([]);

    const phase1Out = grid.entries.find((e) => e.name === "alpaca-multialpaca.phase1");
    expect(phase1Out).toBeDefined();
    const commands = readFileSync(grid.commandsPath, "utf8");
    const strategiesSeen = new Set<string>();

    for (const entry of grid.entries) {
      expect(entry.axolotlConfigPath, entry.name).toBeDefined();
      const plan = await readTrainingPlan(entry.planPath);
      const written = parseYaml(readFileSync(entry.axolotlConfigPath as string, "utf8")) as Record<
        string,
        unknown
      >;
      // Paths in the grid are relative to its folder (it can move to another machine).
      expect(written.output_dir).not.toMatch(/^\//);
      const config = configResolvedFrom(written, outDir);
      strategiesSeen.add(`${plan.setting}.${plan.strategy}`);

      // Only keys Axolotl 0.18 accepts (data/axolotl_schema.json), no deprecated ones.
      expect(checkAxolotlConfig(config, schema), entry.name).toEqual([]);
      for (const key of Object.keys(config)) expect(schema.top_level_keys).toContain(key);

      // The paper's hyper-parameters (Table A1).
      expect(config.learning_rate).toBe(1e-6);
      expect(config.num_epochs).toBe(4);
      expect((config.micro_batch_size as number) * (config.gradient_accumulation_steps as number) * 4).toBe(
        16,
      );
      expect(config.lr_scheduler).toBe("cosine");
      expect(config.warmup_steps).toBe(10);
      expect(config.optimizer).toBe("adamw_torch");
      expect(config.weight_decay).toBe(0);
      expect(config.bf16).toBe(true);
      expect(config.seed).toBe(42);

      // Each config agrees with its plan.
      expect(config.base_model).toBe(plan.base_model);
      expect(config.output_dir).toBe(plan.output_dir);
      expect(config.sequence_len).toBe(plan.sequence_len);
      expect(config.learning_rate).toBe(plan.hyperparameters.learning_rate);
      expect(config.num_epochs).toBe(plan.hyperparameters.num_epochs);
      const ds = config.datasets as Record<string, unknown>[];
      expect(ds.map((d) => [d.path, d.type])).toEqual(plan.datasets.map((d) => [d.path, d.type]));
      for (const d of ds) expect(d.type).not.toMatch(/sharegpt/);

      // Strategy-specific content.
      const setting = experiment.settings.find((s) => s.name === plan.setting)!;
      if (plan.strategy === "phase1") {
        expect(plan.phase).toBe(1);
        expect(config.base_model).toBe(base);
      } else if (plan.strategy === "mixture") {
        expect(plan.phase).toBe("mixture");
        expect(config.base_model).toBe(base);
        expect(ds.map((d) => d.path)).toEqual([
          resolve(dirname(experimentPath), setting.phase1.datasets![0]!.path),
          resolve(dirname(experimentPath), setting.phase2.datasets[0]!.path),
        ]);
      } else {
        expect(plan.phase).toBe(2);
        // Phase 2 starts from the Phase-1 output, or from the off-the-shelf instruct model.
        if (plan.setting === "alpaca-multialpaca") {
          const phase1 = await readTrainingPlan(phase1Out!.planPath);
          expect(config.base_model).toBe(phase1.output_dir);
          expect(plan.depends_on).toEqual(["alpaca-multialpaca.phase1"]);
        } else {
          expect(config.base_model).toBe(instruct);
        }
      }
      if (["LF_H1", "LF_H2", "Spectrum"].includes(plan.strategy)) {
        expect(config.unfrozen_parameters).toEqual(SELECTIONS[plan.strategy as keyof typeof SELECTIONS]);
        expect(config.unfrozen_parameters).toEqual(plan.freeze?.unfrozen_parameters);
      } else {
        expect(config.unfrozen_parameters).toBeUndefined();
      }
      if (plan.strategy === "LoRA") {
        expect(config.adapter).toBe("lora");
        expect(config.lora_r).toBe(64);
        expect(config.lora_alpha).toBe(plan.lora?.alpha);
        expect(config.lora_dropout).toBe(plan.lora?.dropout);
        expect(config.lora_target_linear).toBe(true);
      } else {
        expect(config.adapter).toBeUndefined();
        expect(config.lora_r).toBeUndefined();
      }
      if (["GR_5", "GR_10", "ER_10"].includes(plan.strategy)) {
        const mix = setting.replay[plan.strategy as "GR_5"]!;
        expect(ds.map((d) => d.path)).toEqual([resolve(dirname(experimentPath), mix.path)]);
      }
      // DeepSpeed ZeRO-2 preset written next to the config, bf16 on.
      expect(typeof config.deepspeed).toBe("string");
      expect(written.deepspeed).toBe("deepspeed_zero2.json");
      const ds2 = JSON.parse(readFileSync(config.deepspeed as string, "utf8"));
      expect(ds2.zero_optimization.stage).toBe(2);
      expect(ds2.bf16.enabled).toBe(true);
      // The run is listed with the exact launcher command.
      expect(commands).toContain(
        `axolotl train ${basename(entry.axolotlConfigPath as string)} --launcher accelerate -- --num_processes 4 --num_machines 1`,
      );
    }
    expect(strategiesSeen.size).toBe(18);
    // LoRA runs are merged for evaluation (<output_dir>/merged).
    expect(commands.match(/^axolotl merge-lora \S+LoRA\.axolotl\.yml$/gm)).toHaveLength(2);
    // Phase 1 is listed before every run that starts from it.
    const p1 = commands.indexOf("alpaca-multialpaca.phase1.axolotl.yml");
    const p2 = commands.indexOf("alpaca-multialpaca.baseline.axolotl.yml");
    expect(p1).toBeGreaterThan(0);
    expect(p1).toBeLessThan(p2);
  });
});

describe("freeze selections that do not exist yet", () => {
  it("keep the plan pending (read at run time) and write no config that would train everything", async () => {
    const experimentPath = await stageExample("paper-mistral-7b", false);
    const experiment = await readExperiment(experimentPath);
    const compiled = await compileExperiment(experiment, { baseDir: dirname(experimentPath) });
    expect(compiled.pending.map((p) => p.plan).sort()).toEqual(
      [
        "alpaca-multialpaca.LF_H1",
        "alpaca-multialpaca.LF_H2",
        "alpaca-multialpaca.Spectrum",
        "instruct-multialpaca.LF_H1",
        "instruct-multialpaca.LF_H2",
        "instruct-multialpaca.Spectrum",
      ].sort(),
    );
    const grid = await writePlanGrid(compiled, join(dirname(experimentPath), "plans"));
    const pending = grid.entries.filter((e) => e.pendingInput);
    expect(pending).toHaveLength(6);
    for (const e of pending) {
      expect(e.axolotlConfigPath).toBeUndefined();
      expect(existsSync(e.planPath.replace(".plan.yaml", ".axolotl.yml"))).toBe(false);
    }
    expect(readFileSync(grid.commandsPath, "utf8")).toContain("cftkit train run");
  });
});

describe("writeExperimentPlans (cftkit train plan)", () => {
  it("reads, compiles and writes an experiment file's grid with the experiment's backend", async () => {
    const out = mkdtempSync(join(tmpdir(), "cftkit-experiment-plans-"));
    try {
      const path = repoPath("examples/paper-mistral-7b.yaml");
      const written = await writeExperimentPlans(path, out);
      const { experiment, backend, grid } = written;
      expect({ experiment, backend }).toEqual({ experiment: "paper-mistral-7b", backend: "axolotl" });
      expect(experimentPlansDocument(written)).toEqual({ experiment, backend, ...planGridDocument(grid) });
      const direct = await compileExperiment(await readExperiment(path), {
        baseDir: dirname(path),
        experimentPath: path,
      });
      expect(grid.entries.map((e) => e.name).sort()).toEqual(direct.plans.map((p) => p.name).sort());
      expect(existsSync(grid.commandsPath)).toBe(true);
      // The --out path guard checks the commands.sh the grid writes.
      const writes = (experimentPlansOptionsSchema.shape.out.meta() as { writes(dir: string): string[] })
        .writes;
      expect(writes(out)).toEqual([grid.commandsPath]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
