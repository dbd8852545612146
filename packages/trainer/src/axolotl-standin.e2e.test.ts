import { existsSync, mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { CausalLM, readTrainerState } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAxolotl } from "./axolotl-launcher.js";
import { trainWithAxolotl } from "./axolotl-training.js";
import { repoPath } from "./testing/repo-paths.js";
import { tinyTrainingPaths, writeTinyTrainingInputs } from "./testing/tiny-training-inputs.js";
import { parseTrainingPlan, type TrainingPlan } from "./training-plan.js";

// The real launcher runs `axolotl` from PATH: here tools/axolotl-standin, which forwards to `cftkit train rehearse`.
const tmp = mkdtempSync(join(tmpdir(), "cftkit standin '$HOME' "));
const { base, data } = tinyTrainingPaths(tmp);
const env = {
  PATH: [repoPath("tools/axolotl-standin"), dirname(process.execPath), process.env.PATH ?? ""].join(
    delimiter,
  ),
  CFTKIT_FROM_SOURCE: "1",
};
afterAll(() => rm(tmp, { recursive: true, force: true }));

beforeAll(() => writeTinyTrainingInputs(tmp, { seed: 9, rows: 8, maxChars: 150 }), 60_000);

function plan(name: string, extra: Record<string, unknown> = {}): TrainingPlan {
  return parseTrainingPlan({
    name,
    strategy: "LF_H2",
    phase: 2,
    base_model: base,
    datasets: [{ path: data, type: "alpaca" }],
    output_dir: join(tmp, "runs", name),
    sequence_len: 128,
    hyperparameters: {
      learning_rate: 0.003,
      num_epochs: 1,
      global_batch_size: 4,
      micro_batch_size: 2,
      warmup_steps: 1,
      save_strategy: "steps",
      save_steps: 1,
    },
    ...extra,
  });
}

describe("the Axolotl launcher with the axolotl stand-in on PATH", () => {
  it("trains through `axolotl train`: metrics parsed from the log equal the trainer's own log history", async () => {
    const p = plan("frozen", { freeze: { unfrozen_parameters: ["model.layers.1.mlp"] } });
    const result = await runAxolotl(p, { env });
    expect(result.artifacts.complete).toBe(true);
    expect(result.artifacts.checkpoints.map((c) => c.step)).toEqual([1, 2]);
    const parsed = (await readFile(result.metricsPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; step: number; loss?: number });
    const state = await readTrainerState(join(p.output_dir, "checkpoint-2"));
    const train = parsed.filter((m) => m.type === "train");
    expect(train.map((m) => m.step)).toEqual(state.log_history.map((e) => e.step));
    for (const [i, m] of train.entries()) expect(m.loss).toBeCloseTo(state.log_history[i]!.loss, 3);
    expect(result.finalLoss).toBeCloseTo(state.log_history.at(-1)!.loss, 3);
  }, 120_000);

  it("a config that freezes everything fails with the diagnosed cause and leaves nothing half-written", async () => {
    const p = plan("nothing", { freeze: { unfrozen_parameters: ["^vision_tower"] } });
    let error: unknown;
    try {
      await runAxolotl(p, { env });
    } catch (e) {
      error = e;
    }
    expect(isCftkitError(error)).toBe(true);
    expect((error as { code: string }).code).toBe("AXOLOTL_NO_TRAINABLE_PARAMETERS");
    expect(existsSync(join(p.output_dir, "model.safetensors"))).toBe(false);
    expect(existsSync(join(p.output_dir, "checkpoint-1"))).toBe(false);
  }, 60_000);

  it("trainWithAxolotl: an interrupted LoRA run resumes from its checkpoint, then merge-lora gives a complete model", async () => {
    const p = plan("lora", { strategy: "LoRA", lora: { r: 4, alpha: 8, dropout: 0 } });
    p.hyperparameters.num_epochs = 2;
    const controller = new AbortController();
    const first = await trainWithAxolotl(p, {
      env,
      signal: controller.signal,
      onOutput: (_stream, text) => {
        if (text.includes("'epoch': '1'")) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isCftkitError(first) && first.code).toBe("AXOLOTL_KILLED");
    expect(existsSync(join(p.output_dir, "checkpoint-1"))).toBe(true);
    const second = await trainWithAxolotl(p, { env });
    expect(second.resumedFrom).toMatch(/checkpoint-\d$/);
    expect(second.steps).toBe(4);
    expect(second.modelDir).toBe(join(p.output_dir, "merged"));
    const model = await CausalLM.load(second.modelDir);
    expect(model.tokenizer).not.toBeNull();
    // LoRA trains r · (in + out) per targeted linear weight (q/k/v/o, gate/up/down of every layer).
    const linear = (await model.weights()).filter((w) =>
      /layers\.\d+\.(self_attn|mlp)\.\w+_proj\.weight$/.test(w.name),
    );
    expect(second.trainable).toBe(linear.reduce((sum, w) => sum + 4 * (w.shape[0]! + w.shape[1]!), 0));
    model.dispose();
  }, 180_000);
});
