import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM, readTrainerState } from "@cftkit/lm";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planToAxolotlConfig } from "../axolotl-config.js";
import { parseAxolotlLog } from "../axolotl-log-parser.js";
import { loadAxolotlSchema, repoPath } from "../testing/repo-paths.js";
import { tinyTrainingPaths, writeTinyTrainingInputs } from "../testing/tiny-training-inputs.js";
import { parseTrainingPlan } from "../training-plan.js";
import { REHEARSAL_KNOWN_KEYS, parseRehearsalConfig } from "./rehearsal-settings.js";
import { rehearseAxolotlConfig } from "./rehearse.js";
import { pythonFormat4g } from "./trainer-log-lines.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-rehearse-"));
const { base, data } = tinyTrainingPaths(tmp);
afterAll(() => rm(tmp, { recursive: true, force: true }));

beforeAll(() => writeTinyTrainingInputs(tmp, { seed: 3, rows: 12, maxChars: 160 }), 60_000);

function config(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_model: base,
    datasets: [{ path: data, type: "alpaca", ds_type: "json" }],
    output_dir: join(tmp, name),
    sequence_len: 128,
    micro_batch_size: 2,
    gradient_accumulation_steps: 2,
    num_epochs: 1,
    learning_rate: 0.003,
    lr_scheduler: "cosine",
    warmup_steps: 1,
    optimizer: "adamw_torch_fused",
    seed: 5,
    logging_steps: 1,
    save_strategy: "steps",
    save_steps: 1,
    bf16: "auto",
    ...extra,
  };
}

async function writeConfig(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(tmp, `${name}.yml`);
  await writeFile(path, stringify(config(name, extra)));
  return path;
}

describe("rehearsal config", () => {
  it("knows only real Axolotl keys, and accepts every config the Axolotl backend writes", () => {
    const schema = new Set(loadAxolotlSchema().top_level_keys);
    expect(REHEARSAL_KNOWN_KEYS.filter((k) => !schema.has(k))).toEqual([]);
    for (const extra of [
      { lora: { r: 4, alpha: 8, dropout: 0 } },
      { freeze: { source: "x", unfrozen_parameters: ["model.layers.0"] } },
    ]) {
      const plan = parseTrainingPlan({
        name: "p",
        strategy: "lora" in extra ? "LoRA" : "LF_H2",
        phase: 2,
        base_model: base,
        datasets: [{ path: data, type: "alpaca" }],
        output_dir: join(tmp, "plan-out"),
        ...extra,
      });
      const { config: written } = planToAxolotlConfig(plan);
      expect(parseRehearsalConfig(written).unsupported).toEqual([]);
    }
  });

  it("refuses keys it cannot honour, naming them; --ignore-unsupported goes on", async () => {
    const path = await writeConfig("unsupported", {
      sample_packing: true,
      neftune_noise_alpha: 5,
      optimizer: "lion_8bit",
    });
    await expect(rehearseAxolotlConfig(path, { check: true, write: () => {} })).rejects.toThrow(
      /cannot honour: neftune_noise_alpha, sample_packing: true, optimizer: lion_8bit/,
    );
    const lines: string[] = [];
    const r = await rehearseAxolotlConfig(path, {
      check: true,
      ignoreUnsupported: true,
      write: (l) => lines.push(l),
    });
    expect(r.unsupported).toEqual(["neftune_noise_alpha", "sample_packing: true", "optimizer: lion_8bit"]);
    expect(lines[0]).toContain("ignoring unsupported keys");
  });

  it("formats values as Python's .4g does", () => {
    const values = [0, 5.533, 0.0005, 0.000146446, 1.2345e-5, 12345.6, 1, 0.3333333, 100, 5.5e-7, 2.5];
    const py = spawnSync(
      "python3",
      ["-c", `import sys\nfor v in ${JSON.stringify(values)}: print(f"{v:.4g}")`],
      {
        encoding: "utf8",
      },
    );
    expect(py.status, py.stderr).toBe(0);
    expect(values.map(pythonFormat4g)).toEqual(py.stdout.trim().split("\n"));
  });
});

describe("--check", () => {
  it("prints what each pattern unfreezes and the trainable count", async () => {
    const lines: string[] = [];
    const path = await writeConfig("check", {
      unfrozen_parameters: [
        "^model.layers.1.self_attn.q_proj.weight$",
        "model.layers.1.mlp",
        "^model.embed_tokens.weight$[:100]",
      ],
    });
    const r = await rehearseAxolotlConfig(path, { check: true, write: (l) => lines.push(l) });
    expect(r.check.patterns.map((p) => p.matches.length)).toEqual([1, 3, 1]);
    const model = await CausalLM.load(base);
    const sizes = new Map((await model.weights()).map((w) => [w.name, w.data.length]));
    model.dispose();
    const expected = r.check.trainable.reduce((s, n) => s + sizes.get(n)!, 0);
    expect(r.check.trainableParameters).toBe(expected);
    expect(lines.join("\n")).toContain(`trainable params: ${expected} ||`);
    expect(r.check.warnings[0]).toContain("PR #3416");
  });

  it("refuses a pattern that matches nothing and a config that freezes everything", async () => {
    // The shape of the bug fixed in axolotl PR #3586: an escaped-twice regex that matches no parameter.
    const typo = await writeConfig("typo", {
      unfrozen_parameters: ["model.layers.1.mlp", "^model\\.language_model\\.layers"],
    });
    await expect(rehearseAxolotlConfig(typo, { check: true, write: () => {} })).rejects.toMatchObject({
      code: "TRAIN_UNFROZEN_CHECK_FAILED",
      message: expect.stringContaining('"^model\\.language_model\\.layers" matches no tensor'),
    });
    const none = await writeConfig("none", { unfrozen_parameters: ["^vision_tower"] });
    await expect(rehearseAxolotlConfig(none, { write: () => {} })).rejects.toThrow(/no parameter trainable/);
  });
});

describe("train and merge-lora", () => {
  it("trains with Trainer-format output the Axolotl log parser reads, and resumes an interrupted run", async () => {
    const out: string[] = [];
    const path = await writeConfig("full", {
      auto_resume_from_checkpoints: true,
      unfrozen_parameters: ["model.layers.1"],
    });
    const first = await rehearseAxolotlConfig(path, { stopAfterSteps: 1, write: (l) => out.push(l) });
    expect(first.steps).toBe(1);
    const second = await rehearseAxolotlConfig(path, { write: (l) => out.push(l) });
    expect(second.resumedFromStep).toBe(1);
    expect(second.steps).toBe(3);
    const parsed = parseAxolotlLog(out.join("\n"));
    const train = parsed.metrics.filter((m) => m.type === "train");
    const state = await readTrainerState(join(tmp, "full", "checkpoint-3"));
    expect(train.map((m) => m.step)).toEqual(state.log_history.map((e) => e.step));
    for (const [i, m] of train.entries()) expect(m.values.loss).toBeCloseTo(state.log_history[i]!.loss, 3);
    expect(parsed.metrics.at(-1)!.type).toBe("summary");
    expect(existsSync(join(tmp, "full", "model.safetensors"))).toBe(true);
  }, 120_000);

  it("LoRA leaves the adapter; merge-lora writes merged/ equal to the numpy merge", async () => {
    const path = await writeConfig("lora", {
      adapter: "lora",
      lora_r: 4,
      lora_alpha: 8,
      lora_dropout: 0,
      lora_target_linear: true,
      max_steps: 2,
    });
    const trained = await rehearseAxolotlConfig(path, { write: () => {} });
    expect(trained.check.trainable.length).toBe(14);
    const dir = join(tmp, "lora");
    expect(existsSync(join(dir, "adapter_model.safetensors"))).toBe(true);
    expect(existsSync(join(dir, "merged"))).toBe(false);
    const merged = await rehearseAxolotlConfig(path, { mergeLora: true, write: () => {} });
    expect(merged.mergedDir).toBe(join(dir, "merged"));
    const py = spawnSync(
      "python3",
      [repoPath("tools/reference/merge_lora.py"), base, dir, join(dir, "merged")],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    const check = JSON.parse(py.stdout) as { merged: number; max_abs_diff: number; missing: string[] };
    expect(check).toMatchObject({ merged: 14, missing: [] });
    expect(check.max_abs_diff).toBeLessThan(1e-6);
    const model = await CausalLM.load(join(dir, "merged"));
    expect(model.tokenizer).not.toBeNull();
    model.dispose();
  }, 120_000);
});
