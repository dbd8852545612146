import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { STEP_NAMES } from "@cftkit/runner";
import { runCftkit } from "../testing/run-cftkit.js";

describe("cftkit run", () => {
  it("--dry-run prints every Axolotl YAML and command of the paper's grid", async () => {
    const { code, stdout, stderr } = await runCftkit([
      "run",
      "examples/paper-mistral-7b.yaml",
      "--dry-run",
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as {
      steps: { step: string; summary: string }[];
      plans: { plan: string; yaml: string; command: string }[];
      skipped: { strategy: string }[];
    };
    expect(out.steps.map((s) => s.step)).toEqual(STEP_NAMES);
    // Alpaca→MultiAlpaca: Phase 1 + 9 strategies; Instruct→MultiAlpaca: 8 (no mixture without Phase-1 data).
    expect(out.plans).toHaveLength(18);
    expect(out.skipped.map((s) => s.strategy)).toEqual(["mixture"]);
    for (const p of out.plans) {
      expect(p.command).toMatch(/^axolotl train \S+\.yml --launcher accelerate -- --num_processes 4/);
      const [doc] = parseAllDocuments(p.yaml);
      const config = doc!.toJS() as Record<string, unknown>;
      expect(config.learning_rate).toBe(1e-6);
      expect(config.num_epochs).toBe(4);
      expect((config.micro_batch_size as number) * (config.gradient_accumulation_steps as number) * 4).toBe(
        16,
      );
    }
    const lora = out.plans.find((p) => p.plan === "alpaca-multialpaca.LoRA")!;
    expect(lora.yaml).toMatch(/adapter: lora\n(.*\n)*lora_r: 64/);
  });

  it("--dry-run without --json lists the step table first", async () => {
    const { code, stdout, stderr } = await runCftkit(["run", "examples/paper-mistral-7b.yaml", "--dry-run"]);
    expect(code, stderr).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^# steps of .*, in order:$/);
    expect(lines.slice(1, 1 + STEP_NAMES.length).map((l) => l.split(/\s+/)[2])).toEqual(STEP_NAMES);
  });

  it("--dry-run of an embedded experiment lists the steps and its plans", async () => {
    const { code, stdout, stderr } = await runCftkit([
      "run",
      "examples/cpu-tiny.yaml",
      "--dry-run",
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { steps: { step: string }[]; plans: { plan: string; yaml: string }[] };
    expect(out.steps.map((s) => s.step)).toEqual(STEP_NAMES);
    expect(out.plans.map((p) => p.plan)).toContain("xquad-similar.phase1");
    expect(out.plans[0]!.yaml).toMatch(/base_model: init:tiny/);
  });

  it("a bad experiment file exits 2 and names the offending key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-run-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "name: bad\nbase_model: { init: tiny }\nsettings: []\nevaluation: { qa_max_new_tokens: -1 }\n",
    );
    const { code, stderr } = await runCftkit(["run", file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error\[EXPERIMENT_INVALID\]/m);
    expect(stderr).toContain("settings");
    expect(stderr).toContain("evaluation.qa_max_new_tokens");
  });
});
