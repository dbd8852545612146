import { mkdtempSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareAxolotlRun } from "./axolotl-launcher.js";
import { planToTrainOptions } from "./embedded-backend.js";
import { resolvePlanInputs } from "./freeze-selection.js";
import { describePlanFileRun, runPlanFile } from "./run-plan-file.js";
import { writeFakeAxolotl } from "./testing/axolotl-output.js";
import { writeTinyTrainingInputs } from "./testing/tiny-training-inputs.js";
import { preparedRunDocument } from "./train-documents.js";
import { readTrainingPlan } from "./training-plan.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-run-plan-file-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
let planPath: string;
let axolotl: string;

beforeAll(async () => {
  const { base, data } = await writeTinyTrainingInputs(tmp, { seed: 3, rows: 8, maxChars: 120 });
  await mkdir(join(tmp, "bin"));
  axolotl = await writeFakeAxolotl(join(tmp, "bin"));
  planPath = join(tmp, "tiny.plan.yaml");
  const plan = [
    "name: t.phase1",
    "strategy: phase1",
    "phase: 1",
    `base_model: ${JSON.stringify(base)}`,
    `datasets: [{ path: ${JSON.stringify(data)}, type: alpaca }]`,
    `output_dir: ${JSON.stringify(join(tmp, "out", "phase1"))}`,
    "sequence_len: 128",
    "hyperparameters: { max_steps: 2, micro_batch_size: 2, learning_rate: 0.003 }",
  ];
  await writeFile(planPath, plan.join("\n"));
}, 60_000);

describe("runPlanFile: one plan file, by backend and mode", () => {
  it("a dry run shows the embedded settings or the Axolotl files and command, and runs nothing", async () => {
    const plan = await readTrainingPlan(planPath);
    const embedded = await runPlanFile(planPath, { backend: "embedded", dryRun: true });
    const settings = planToTrainOptions(await resolvePlanInputs(plan));
    expect(embedded).toEqual({ backend: "embedded", plan: "t.phase1", options: settings });
    expect(describePlanFileRun(embedded)).toEqual([JSON.stringify(settings, null, 2)]);

    const prepared = await runPlanFile(planPath, { dryRun: true, axolotl });
    expect(prepared).toEqual(preparedRunDocument(await prepareAxolotlRun(plan, { executable: axolotl })));
    const lines = describePlanFileRun(prepared);
    expect(lines[0]).toBe(`# ${join(tmp, "out", "phase1", "axolotl.yml")}`);
    expect(lines.at(-1)).toBe(
      `${axolotl} train ${join(tmp, "out", "phase1", "axolotl.yml")} --launcher python`,
    );
  });

  it("runs the plan with the embedded trainer and says where the model is", {
    timeout: 120_000,
  }, async () => {
    const doc = await runPlanFile(planPath, { backend: "embedded" });
    if (!("steps" in doc)) throw new Error("expected an embedded run");
    expect(doc).toMatchObject({ backend: "embedded", plan: "t.phase1", steps: 2 });
    expect(describePlanFileRun(doc)).toEqual([
      `t.phase1: 2 steps, final loss ${doc.finalLoss.toFixed(4)}; model in ${doc.modelDir}, metrics in ${doc.metricsPath}`,
    ]);
  });

  it("runs the plan with (a stand-in) Axolotl and passes its raw output on", async () => {
    let raw = "";
    const doc = await runPlanFile(planPath, { axolotl, onOutput: (_stream, text) => (raw += text) });
    if (!("artifacts" in doc)) throw new Error("expected an Axolotl run");
    expect(doc.backend).toBe("axolotl");
    expect(doc.metrics).toBeGreaterThan(0);
    expect(raw).not.toBe("");
    expect(describePlanFileRun(doc)[0]).toMatch(
      new RegExp(`^t\\.phase1: done \\(${doc.metrics} metric lines, final loss [\\d.]+\\); model in `),
    );
  });

  it("refuses an unknown backend as bad input", async () => {
    await expect(runPlanFile(planPath, { backend: "tpu" as "axolotl" })).rejects.toMatchObject({
      code: "TRAIN_BAD_OPTION",
    });
  });
});
