import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AxolotlSchemaFacts, checkAxolotlConfig, parseAxolotlLog } from "@cftkit/trainer";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../program.js";
import { parse as parseYaml } from "yaml";
import { fixtureCombinedLog } from "../../../trainer/src/testing/axolotl-output.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const schema = JSON.parse(
  readFileSync(join(repoRoot, "data/axolotl_schema.json"), "utf8"),
) as AxolotlSchemaFacts;

function cftkit(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exit: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["packages/cli/bin/cftkit.js", ...args],
      { cwd: repoRoot, env: { ...env, CFTKIT_FROM_SOURCE: "1" }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const exit = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ exit, stdout, stderr });
      },
    );
  });
}

/** Run the CLI in this process (for the quick error-path checks); captures stderr. */
async function inProcess(args: string[]): Promise<{ exit: number; stderr: string }> {
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { exit: await runCli(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-train-cli-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface PlanJson {
  name: string;
  plan: string;
  axolotl_config: string | null;
  command: string | null;
  pending_input: string | null;
}

describe("cftkit train", () => {
  it("plan writes the paper grid of an example; run --dry-run prints the YAML and the exact command", async () => {
    const out = join(dir, "plans");
    const planned = await cftkit(["train", "plan", "examples/paper-llama3-8b.yaml", "--out", out, "--json"]);
    expect(planned.stderr).not.toContain("error[");
    expect(planned.exit).toBe(0);
    const doc = JSON.parse(planned.stdout) as { plans: PlanJson[]; skipped: unknown[]; commands: string };
    expect(doc.plans).toHaveLength(18);
    expect(doc.skipped).toHaveLength(1);
    // The freeze selections of the example do not exist yet: those 6 plans wait for them.
    expect(doc.plans.filter((p) => p.pending_input !== null)).toHaveLength(6);
    for (const p of doc.plans.filter((x) => x.axolotl_config !== null)) {
      const config = parseYaml(readFileSync(p.axolotl_config as string, "utf8")) as Record<string, unknown>;
      expect(checkAxolotlConfig(config, schema), p.name).toEqual([]);
      expect(config.learning_rate).toBe(1e-6);
      expect(config.special_tokens).toEqual({ pad_token: "<|end_of_text|>" });
      expect(p.command).toContain("--launcher accelerate -- --num_processes 4");
    }
    expect(readFileSync(doc.commands, "utf8")).toContain("axolotl train");

    const baseline = doc.plans.find((p) => p.name === "instruct-multialpaca.baseline")!;
    const dry = await cftkit(["train", "run", baseline.plan, "--backend", "axolotl", "--dry-run", "--json"]);
    expect(dry.exit).toBe(0);
    const run = JSON.parse(dry.stdout) as { yaml: string; command: string; argv: string[] };
    const config = parseYaml(run.yaml) as Record<string, unknown>;
    expect(config.base_model).toBe("meta-llama/Meta-Llama-3-8B-Instruct");
    expect(checkAxolotlConfig(config, schema)).toEqual([]);
    expect(run.argv.slice(0, 4)).toEqual([
      "axolotl",
      "train",
      expect.stringMatching(/axolotl\.yml$/),
      "--launcher",
    ]);
    expect(run.command).toMatch(
      /^axolotl train \S+axolotl\.yml --launcher accelerate -- --num_processes 4 --num_machines 1$/,
    );

    // The example's datasets are user-provided: a real run reports the missing file first, as bad input.
    const missing = await inProcess(["train", "run", baseline.plan, "--backend", "axolotl"]);
    expect(missing.exit).toBe(2);
    expect(missing.stderr).toContain("error[TRAIN_DATASET_MISSING]");
  });

  it("logs parses a saved Axolotl log into metrics (and --out metrics.jsonl)", async () => {
    const logFile = join(dir, "train.log");
    await writeFile(logFile, fixtureCombinedLog());
    const metricsOut = join(dir, "metrics.jsonl");
    const r = await cftkit(["train", "logs", logFile, "--json", "--out", metricsOut]);
    expect(r.exit).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      metrics: Record<string, unknown>[];
      counts: Record<string, number>;
    };
    const direct = parseAxolotlLog(fixtureCombinedLog()).metrics;
    expect(doc.metrics).toHaveLength(direct.length);
    expect(doc.counts.eval).toBe(1);
    expect(doc.counts.summary).toBe(1);
    expect(readFileSync(metricsOut, "utf8").trim().split("\n")).toHaveLength(direct.length);
    const bad = await inProcess(["train", "logs", join(dir, "nope.log")]);
    expect(bad.exit).toBe(2);
    expect(bad.stderr).toContain("error[FILE_NOT_READABLE]");
  });

  it("run --backend embedded --dry-run prints the trainer settings the plan maps to", async () => {
    const planPath = join(dir, "tiny.plan.yaml");
    await writeFile(
      planPath,
      [
        "name: t.phase1",
        "strategy: phase1",
        "phase: 1",
        "base_model: init:tiny",
        `datasets: [{ path: ${JSON.stringify(join(dir, "a.jsonl"))}, type: alpaca }]`,
        `output_dir: ${JSON.stringify(join(dir, "out", "phase1"))}`,
        "hyperparameters: { max_steps: 5, micro_batch_size: 2 }",
      ].join("\n"),
    );
    let stdout = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    let exit: number;
    try {
      exit = await runCli(["train", "run", planPath, "--backend", "embedded", "--dry-run", "--json"]);
    } finally {
      spy.mockRestore();
    }
    expect(exit).toBe(0);
    const doc = JSON.parse(stdout) as { options: Record<string, unknown> };
    expect(doc.options).toMatchObject({
      learningRate: 1e-6,
      epochs: 4,
      globalBatchSize: 16,
      microBatchSize: 2,
      warmupSteps: 10,
      lrScheduler: "cosine",
      weightDecay: 0,
      maxSteps: 5,
      modelDir: join(dir, "out", "init-tiny-seed42"),
    });
  });

  it("run rejects an unknown backend as bad input", async () => {
    const r = await inProcess(["train", "run", "whatever.plan.yaml", "--backend", "tpu"]);
    expect(r.exit).toBe(2);
    expect(r.stderr).toContain("error[CLI_BAD_OPTION]");
  });
});
