import { mkdtempSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { type CftkitError, isCftkitError } from "@cftkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { prepareAxolotlRun, runAxolotl } from "./axolotl-launcher.js";
import { checkAxolotlConfig } from "./axolotl-schema-check.js";
import { fixtureStdout, writeFakeAxolotl } from "./testing/axolotl-output.js";
import { loadAxolotlSchema } from "./testing/repo-paths.js";
import { parseTrainingPlan, type TrainingPlan } from "./training-plan.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit launch $HOME 'q' "));
const binDir = join(tmp, "bin");
let dataset: string;
const env = () => ({ PATH: [binDir, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter) });

beforeAll(async () => {
  await mkdir(binDir, { recursive: true });
  await writeFakeAxolotl(binDir);
  dataset = join(tmp, "data.jsonl");
  await writeFile(dataset, `${JSON.stringify({ instruction: "Say hi", output: "hi" })}\n`);
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

function plan(name: string, extra: Record<string, unknown> = {}): TrainingPlan {
  return parseTrainingPlan({
    name,
    strategy: "baseline",
    phase: 2,
    base_model: "mistralai/Mistral-7B-v0.1",
    datasets: [{ path: dataset, type: "alpaca" }],
    output_dir: join(tmp, "runs", name),
    launcher: { kind: "accelerate", gpus_per_node: 4 },
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<CftkitError> {
  try {
    await p;
  } catch (error) {
    if (isCftkitError(error)) return error;
    throw error;
  }
  throw new Error("expected the run to fail");
}

describe("runAxolotl with a stand-in axolotl on PATH", () => {
  it("launches without a shell, streams metrics into metrics.jsonl and a progress bar, collects artifacts", async () => {
    const p = plan("ok");
    const argvFile = join(tmp, "argv-ok.json");
    const updates: { done: number; total?: number }[] = [];
    const result = await runAxolotl(p, {
      env: { ...env(), FAKE_AXOLOTL_MODE: "ok", FAKE_AXOLOTL_ARGV: argvFile },
      progress: { start() {}, update: (u) => updates.push(u), stop() {} },
    });
    // Exact argv: paths with spaces, quotes and `$HOME` arrive literally (no shell).
    const argv = JSON.parse(readFileSync(argvFile, "utf8")) as string[];
    expect(argv).toEqual([
      "train",
      join(p.output_dir, "axolotl.yml"),
      "--launcher",
      "accelerate",
      "--",
      "--num_processes",
      "4",
      "--num_machines",
      "1",
    ]);
    const config = parseYaml(readFileSync(result.configPath, "utf8")) as Record<string, unknown>;
    expect(checkAxolotlConfig(config, loadAxolotlSchema())).toEqual([]);
    expect(config.output_dir).toBe(p.output_dir);
    // metrics.jsonl: one line per metric dict the output holds.
    const lines = readFileSync(result.metricsPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const expected = fixtureStdout()
      .split("\n")
      .filter((l) => l.startsWith("{'")).length;
    expect(lines).toHaveLength(expected);
    expect(result.metrics).toBe(expected);
    expect(lines.some((l) => l.loss === "NaN")).toBe(true);
    expect(lines.at(-1).type).toBe("summary");
    expect(result.evalLoss).toBe(1.1042);
    expect(updates.at(-1)).toMatchObject({ done: 8, total: 8 });
    // Artifacts: shards from the index, the last checkpoint's trainer_state.json and its log_history.
    expect(result.artifacts.complete).toBe(true);
    expect(result.artifacts.weights.map((w) => w.slice(p.output_dir.length + 1))).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    expect(result.artifacts.lastCheckpoint).toBe(join(p.output_dir, "checkpoint-8"));
    expect(result.artifacts.trainerState).toBe(join(p.output_dir, "checkpoint-8", "trainer_state.json"));
    expect(result.artifacts.logHistory).toHaveLength(2);
    expect(readFileSync(result.logPath, "utf8")).toContain("'train_runtime'");
  });

  it("explains CUDA out of memory", async () => {
    const e = await failure(runAxolotl(plan("oom"), { env: { ...env(), FAKE_AXOLOTL_MODE: "oom" } }));
    expect(e.code).toBe("AXOLOTL_CUDA_OOM");
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain("micro_batch_size");
    expect(e.message).toContain("exited with code 1");
    expect(e.message).toContain("Tried to allocate");
  });

  it("explains 'All parameters are frozen'", async () => {
    const e = await failure(
      runAxolotl(
        plan("frozen", { strategy: "Spectrum", freeze: { unfrozen_parameters: ["model.layers.99."] } }),
        {
          env: { ...env(), FAKE_AXOLOTL_MODE: "frozen" },
        },
      ),
    );
    expect(e.code).toBe("AXOLOTL_NO_TRAINABLE_PARAMETERS");
    expect(e.message).toContain("unfrozen_parameters");
  });

  it("reports an unexplained non-zero exit with the last output", async () => {
    const e = await failure(runAxolotl(plan("fail"), { env: { ...env(), FAKE_AXOLOTL_MODE: "fail" } }));
    expect(e.code).toBe("AXOLOTL_FAILED");
    expect(e.message).toContain("exited with code 3");
    expect(e.message).toContain("Something unexpected happened");
  });

  it("explains a kill by signal, then resumes from the last checkpoint", async () => {
    const p = plan("killed");
    const e = await failure(runAxolotl(p, { env: { ...env(), FAKE_AXOLOTL_MODE: "kill" } }));
    expect(e.code).toBe("AXOLOTL_KILLED");
    expect(e.details.signal).toBe("SIGKILL");
    expect(e.message).toContain("SIGKILL");
    const partial = readFileSync(join(p.output_dir, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(partial.length).toBeGreaterThan(0);

    const prepared = await prepareAxolotlRun(p);
    expect(prepared.resumeFrom).toBe(join(p.output_dir, "checkpoint-4"));
    const result = await runAxolotl(p, { env: { ...env(), FAKE_AXOLOTL_MODE: "ok" } });
    expect(result.resumedFrom).toBe(join(p.output_dir, "checkpoint-4"));
    const config = parseYaml(readFileSync(result.configPath, "utf8")) as Record<string, unknown>;
    expect(config.resume_from_checkpoint).toBe(join(p.output_dir, "checkpoint-4"));
    expect(readFileSync(result.logPath, "utf8")).toContain(
      `resuming from ${join(p.output_dir, "checkpoint-4")}`,
    );
    // metrics.jsonl keeps the lines of the interrupted attempt and appends the resumed run's.
    const all = readFileSync(result.metricsPath, "utf8").trim().split("\n");
    expect(all.length).toBe(partial.length + result.metrics);
  });

  it.each([
    [
      "nomodel",
      /wrote no model: .* holds no model\.safetensors, no model\.safetensors\.index\.json and no LoRA adapter.*last checkpoint is .*checkpoint-8/,
    ],
    [
      "missingshard",
      /wrote no model: .*model\.safetensors\.index\.json names 1 shard\(s\) that were not written: model-00002-of-00002\.safetensors/,
    ],
  ])(
    "an exit 0 that left no model (%s) is a TRAIN_NO_MODEL failure naming what is missing",
    async (mode, message) => {
      const error = await failure(
        runAxolotl(plan(`no-model-${mode}`), { env: { ...env(), FAKE_AXOLOTL_MODE: mode } }),
      );
      expect(error.code).toBe("TRAIN_NO_MODEL");
      expect(error.message).toMatch(message);
      // The metrics it did log are kept.
      expect(
        readFileSync(error.details.metricsPath as string, "utf8")
          .trim()
          .split("\n").length,
      ).toBeGreaterThan(0);
    },
  );

  it("stops the process when aborted and says how to resume", async () => {
    const controller = new AbortController();
    const run = runAxolotl(plan("hang"), {
      env: { ...env(), FAKE_AXOLOTL_MODE: "hang" },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 400);
    const e = await failure(run);
    expect(e.code).toBe("AXOLOTL_KILLED");
    expect(e.details.signal).toBe("SIGTERM");
    expect(e.message).toContain("resume");
  });

  it("says plainly that a real run needs a GPU machine with Axolotl when axolotl is not on PATH", async () => {
    const e = await failure(
      runAxolotl(plan("missing"), {
        env: { PATH: dirname(process.execPath) },
        executable: "axolotl-not-installed-here",
      }),
    );
    expect(e.code).toBe("AXOLOTL_NOT_FOUND");
    expect(e.message).toContain("GPU machine with Axolotl installed");
  });

  it("refuses a dataset that does not exist before launching anything", async () => {
    const p = parseTrainingPlan({
      ...plan("nodata"),
      datasets: [{ path: join(tmp, "nope.jsonl"), type: "alpaca" }],
    });
    const e = await failure(runAxolotl(p, { env: env() }));
    expect(e.code).toBe("TRAIN_DATASET_MISSING");
    expect(e.exitCode).toBe(2);
  });
});
