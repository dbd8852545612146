import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import { readModelConfig } from "./model-config.js";
import { readModelWeights } from "./model-folder.js";
import { OrtTrainStep } from "./ort-train-step.js";
import { alpacaExamples } from "./testing/training-fixtures.js";
import { type TrainOptions, trainCausalLM } from "./train-causal-lm.js";
import { readTensorMap } from "./training-checkpoint.js";
import { IGNORE_INDEX, padBatch } from "./training-batch.js";

const SCRIPTS = fileURLToPath(new URL("../../../tools/reference/", import.meta.url));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

describe("the ort training graph vs the independent numpy reference (tools/reference/llama_grad.py)", () => {
  const root = mkdtempSync(join(tmpdir(), "cftkit-grad-conf-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // GQA untied; Qwen2 (q/k/v biases, tied embeddings, BF16); Llama 3.1 RoPE + attention bias; sliding window
  for (const name of ["llama-gqa", "qwen2-bias", "llama3-rope", "mistral-window"]) {
    it(`${name}: loss and sampled gradient entries of every tensor match central differences`, async () => {
      const out = join(root, name);
      const make = spawnSync(
        "python3",
        [
          join(SCRIPTS, "llama_forward.py"),
          "make",
          "--case",
          name,
          "--out",
          out,
          "--token-ids",
          "1",
          "--seed",
          "5",
        ],
        { encoding: "utf8" },
      );
      expect(make.status, make.stderr).toBe(0);
      const dir = join(out, "model");
      const config = await readModelConfig(dir);
      const weights = await readModelWeights(dir, config);
      const V = config.vocabSize;
      // two rows of different length (right-padded), prompt positions masked
      const rows = [11, 7].map((n, r) => {
        const ids = Array.from({ length: n }, (_, i) => (i * 13 + r * 29 + 3) % V);
        return { inputIds: ids, labels: ids.map((v, i) => (i < 3 ? IGNORE_INDEX : v)) };
      });
      const batch = padBatch(rows, 0);
      const params = new Map(weights.map((w) => [w.name, Float32Array.from(w.data)]));
      const step = await OrtTrainStep.create(config, { trainable: new Set(params.keys()) });
      const { loss, grads } = await step.run(batch, batch.lossTokens, params);
      await step.release();
      // probe the largest-gradient entry and two fixed ones of every tensor
      const probes: [string, number][] = [];
      for (const [tensor, g] of grads) {
        let arg = 0;
        for (let i = 0; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[arg]!)) arg = i;
        probes.push([tensor, arg], [tensor, 0], [tensor, Math.floor(g.length / 2)]);
      }
      const batchFile = join(out, "batch.json");
      writeFileSync(
        batchFile,
        JSON.stringify({ rows: rows.map((r) => ({ input_ids: r.inputIds, labels: r.labels })), probes }),
      );
      const ref = spawnSync(
        "python3",
        [
          join(SCRIPTS, "llama_grad.py"),
          "--model",
          dir,
          "--batch",
          batchFile,
          "--out",
          join(out, "ref.json"),
        ],
        { encoding: "utf8" },
      );
      expect(ref.status, ref.stderr).toBe(0);
      const expected = JSON.parse(readFileSync(join(out, "ref.json"), "utf8")) as {
        loss: number;
        grads: number[];
      };
      expect(Math.abs(loss - expected.loss) / expected.loss).toBeLessThan(1e-5);
      probes.forEach(([tensor, index], i) => {
        const g = grads.get(tensor)!;
        const tolerance = 2e-4 * maxAbs(g) + 1e-7;
        expect(Math.abs(g[index]! - expected.grads[i]!), `${tensor}[${index}]`).toBeLessThan(tolerance);
      });
      // the check can fail: a gradient scaled by 1.01 is outside the tolerance for the largest entry
      const [t0, i0] = probes[0]!;
      expect(Math.abs(grads.get(t0)![i0]! * 1.01 - expected.grads[0]!)).toBeGreaterThan(
        2e-4 * maxAbs(grads.get(t0)!),
      );
    }, 60_000);
  }
});

describe("the ort engine trains like the tfjs engine", () => {
  let root: string;
  let baseDir: string;
  const train = alpacaExamples(0, 24);
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "cftkit-engines-"));
    baseDir = join(root, "base");
    const model = await CausalLM.init({ preset: "tiny", seed: 4 });
    await model.save(baseDir);
    model.dispose();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const options = (outDir: string, extra: Partial<TrainOptions>): TrainOptions => ({
    modelDir: baseDir,
    outDir,
    train,
    validation: alpacaExamples(4000, 8),
    learningRate: 3e-3,
    globalBatchSize: 4,
    microBatchSize: 2,
    warmupSteps: 1,
    weightDecay: 0.01,
    maxGradNorm: 0.5, // small enough that clipping happens
    sequenceLength: 128,
    maxSteps: 4,
    seed: 9,
    ...extra,
  });

  const cases: [string, Partial<TrainOptions>, string][] = [
    ["full fine-tuning", {}, "model.safetensors"],
    [
      "selected parameters",
      { unfrozenParameters: ["model.layers.1.mlp", "lm_head.weight"] },
      "model.safetensors",
    ],
    [
      "LoRA with dropout",
      { lora: { r: 4, alpha: 8, dropout: 0.1, targetModules: ["q_proj", "v_proj", "down_proj"] } },
      "merged/model.safetensors",
    ],
  ];
  for (const [label, extra, weightsFile] of cases) {
    it(`${label}: same losses, gradient norms, eval loss and final weights (float32 tolerance)`, async () => {
      const runs = [];
      for (const engine of ["tfjs", "ort"] as const) {
        const metrics: { loss: number; gradNorm: number }[] = [];
        const result = await trainCausalLM(
          options(join(root, `${label}-${engine}`), { ...extra, engine, onMetrics: (m) => metrics.push(m) }),
        );
        runs.push({ result, metrics, weights: await readTensorMap(join(result.outDir, weightsFile)) });
      }
      const [tfjs, ort] = runs as [(typeof runs)[0], (typeof runs)[0]];
      expect(ort.metrics).toHaveLength(4);
      ort.metrics.forEach((m, i) => {
        expect(m.loss).toBeCloseTo(tfjs.metrics[i]!.loss, 4);
        expect(Math.abs(m.gradNorm - tfjs.metrics[i]!.gradNorm) / tfjs.metrics[i]!.gradNorm).toBeLessThan(
          1e-3,
        );
      });
      expect(ort.result.evalLoss).toBeGreaterThan(0);
      expect(ort.result.evalLoss!).toBeCloseTo(tfjs.result.evalLoss!, 4);
      const base = await readTensorMap(join(baseDir, "model.safetensors"));
      for (const [name, w] of ort.weights) {
        const other = tfjs.weights.get(name)!;
        let diff = 0;
        for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i]! - other[i]!));
        expect(diff, name).toBeLessThan(1e-4);
        // a tensor the run does not train is bit-identical to the base
        if (extra.unfrozenParameters && !/^model\.layers\.1\.mlp|^lm_head/.test(name))
          expect(Buffer.from(w.buffer).equals(Buffer.from(base.get(name)!.buffer)), name).toBe(true);
      }
      if (extra.lora) {
        const adapters = await readTensorMap(join(ort.result.outDir, "adapter_model.safetensors"));
        expect([...adapters.keys()].every((k) => /^base_model\.model\..*\.lora_[AB]\.weight$/.test(k))).toBe(
          true,
        );
        expect(adapters.size).toBe(2 * 3 * 2); // 2 layers × 3 modules × (A, B)
      }
    }, 120_000);
  }
});
