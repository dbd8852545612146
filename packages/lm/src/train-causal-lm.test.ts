import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llamaForward } from "./llama-graph.js";
import { LoraAdapters, peftName } from "./lora.js";
import { readModelConfig } from "./model-config.js";
import { ensureTfBackend } from "./tf-backend.js";
import { type TrainMetrics, type TrainOptions, trainCausalLM } from "./train-causal-lm.js";
import { readTensorMap } from "./training-checkpoint.js";
import { CausalLM } from "./causal-lm.js";
import { alpacaExamples } from "./testing/training-fixtures.js";
import { type Tokenizer, loadTokenizer } from "./tokenizer.js";

let root: string;
let baseDir: string;
let tokenizer: Tokenizer;
const train = alpacaExamples(0, 200);
const heldOut = alpacaExamples(4000, 16);

function small(outDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    modelDir: baseDir,
    outDir,
    train,
    learningRate: 3e-3,
    epochs: 1,
    globalBatchSize: 4,
    microBatchSize: 2,
    warmupSteps: 2,
    lrScheduler: "cosine",
    weightDecay: 0.01,
    maxGradNorm: 1,
    sequenceLength: 96,
    seed: 11,
    ...extra,
  };
}

function storeOf(map: Map<string, tf.Tensor>) {
  return { get: (n: string) => map.get(n)! };
}

async function loadTensors(path: string): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  const config = await readModelConfig(baseDir);
  const { parameterSpecs } = await import("./model-config.js");
  const data = await readTensorMap(path);
  for (const spec of parameterSpecs(config)) out.set(spec.name, tf.tensor(data.get(spec.name)!, spec.shape));
  return out;
}

beforeAll(async () => {
  await ensureTfBackend();
  root = await mkdtemp(join(tmpdir(), "cftkit-train-"));
  baseDir = join(root, "base");
  const model = await CausalLM.init({ preset: "tiny", seed: 3 });
  await model.save(baseDir);
  model.dispose();
  tokenizer = await loadTokenizer(baseDir);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("trainCausalLM", () => {
  it("lowers held-out loss on Alpaca, without leaking tensors, and writes metrics + a loadable model", async () => {
    const metrics: TrainMetrics[] = [];
    const tensorCounts: number[] = [];
    const before = tf.memory().numTensors;
    const result = await trainCausalLM(
      small(join(root, "full"), {
        validation: heldOut,
        globalBatchSize: 8,
        microBatchSize: 8,
        maxSteps: 12,
        evalOnStart: true,
        onMetrics: (m) => {
          metrics.push(m);
          tensorCounts.push(tf.memory().numTensors);
        },
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(tensorCounts.slice(1)).size).toBe(1);
    expect(result.steps).toBe(12);
    expect(result.initialEvalLoss).toBeGreaterThan(5);
    expect(result.evalLoss!).toBeLessThan(result.initialEvalLoss! - 1);
    expect(metrics.at(-1)!.loss).toBeLessThan(metrics[0]!.loss);
    const lines = (await readFile(result.metricsPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    expect(Object.keys(lines[0]!)).toEqual([
      "step",
      "epoch",
      "loss",
      "learning_rate",
      "grad_norm",
      "tokens_per_second",
    ]);
    expect(lines.at(-1)!.eval_loss).toBeCloseTo(result.evalLoss!, 10);
    // the final folder is a complete model (tokenizer included) with the trained weights
    const reloaded = await CausalLM.load(result.modelDir);
    expect(reloaded.tokenizer?.hasChatTemplate).toBe(true);
    reloaded.dispose();
    const trained = await readTensorMap(join(result.modelDir, "model.safetensors"));
    const base = await readTensorMap(join(baseDir, "model.safetensors"));
    expect(trained.get("model.layers.0.self_attn.q_proj.weight")).not.toEqual(
      base.get("model.layers.0.self_attn.q_proj.weight"),
    );
    const state = JSON.parse(
      await readFile(join(result.outDir, "checkpoint-12", "trainer_state.json"), "utf8"),
    );
    expect(state.global_step).toBe(12);
    expect(state.log_history).toHaveLength(12);
  });

  it("is deterministic per seed and resumes from a checkpoint with exactly the same losses", async () => {
    const extra = { maxSteps: 4, saveEverySteps: 2 };
    const full: number[] = [];
    await trainCausalLM(
      small(join(root, "uninterrupted"), { ...extra, onMetrics: (m) => full.push(m.loss) }),
    );
    const part: number[] = [];
    const interrupted = join(root, "interrupted");
    const first = await trainCausalLM(
      small(interrupted, { ...extra, stopAfterSteps: 3, onMetrics: (m) => part.push(m.loss) }),
    );
    expect(first.stoppedEarly).toBe(true);
    const resumed = await trainCausalLM(
      small(interrupted, { ...extra, resume: true, onMetrics: (m) => part.push(m.loss) }),
    );
    expect(resumed.resumedFromStep).toBe(2);
    expect(full).toHaveLength(4);
    // steps 1-3 of the first try, then 3-4 again from checkpoint-2
    expect(part.slice(0, 3)).toEqual(full.slice(0, 3));
    expect(part.slice(3)).toEqual(full.slice(2));
    const lines = (await readFile(join(interrupted, "metrics.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.loss)).toEqual(full);
    const a = await readTensorMap(join(root, "uninterrupted", "model.safetensors"));
    const b = await readTensorMap(join(interrupted, "model.safetensors"));
    for (const [name, data] of a)
      expect(Buffer.from(b.get(name)!.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it("keeps frozen tensors bit-identical under unfrozenParameters", async () => {
    const result = await trainCausalLM(
      small(join(root, "frozen"), {
        maxSteps: 3,
        unfrozenParameters: ["model.layers.1.mlp", "^lm_head.weight$"],
      }),
    );
    const base = await readTensorMap(join(baseDir, "model.safetensors"));
    const trained = await readTensorMap(join(result.modelDir, "model.safetensors"));
    let changed = 0;
    for (const [name, data] of base) {
      const same = Buffer.from(trained.get(name)!.buffer).equals(Buffer.from(data.buffer));
      const trainable = name.startsWith("model.layers.1.mlp") || name === "lm_head.weight";
      if (trainable) {
        expect(same).toBe(false);
        changed++;
      } else expect(same).toBe(true);
    }
    expect(changed).toBe(4);
    expect(result.trainableParameters).toBeLessThan(result.totalParameters);
  });

  it("LoRA trains only the adapters; the merged model's logits equal base + adapter", async () => {
    const lora = { r: 4, alpha: 8, dropout: 0.1, targetModules: ["q_proj", "v_proj"] };
    const result = await trainCausalLM(small(join(root, "lora"), { maxSteps: 3, learningRate: 1e-2, lora }));
    expect(result.adapterDir).toBe(result.outDir);
    const adapterConfig = JSON.parse(await readFile(join(result.outDir, "adapter_config.json"), "utf8"));
    expect(adapterConfig).toMatchObject({
      peft_type: "LORA",
      r: 4,
      lora_alpha: 8,
      target_modules: ["q_proj", "v_proj"],
    });
    const adapter = await readTensorMap(join(result.outDir, "adapter_model.safetensors"));
    expect([...adapter.keys()].sort()).toEqual(
      [0, 1]
        .flatMap((l) =>
          ["q_proj", "v_proj"].flatMap((m) =>
            ["A", "B"].map((w) => peftName(`model.layers.${l}.self_attn.${m}`, w as "A" | "B")),
          ),
        )
        .sort(),
    );
    const bName = peftName("model.layers.0.self_attn.q_proj", "B");
    expect(adapter.get(bName)!.some((x) => x !== 0)).toBe(true);
    // merged folder: only the targeted weights differ from the base, bit for bit
    const base = await readTensorMap(join(baseDir, "model.safetensors"));
    const merged = await readTensorMap(join(result.modelDir, "model.safetensors"));
    for (const [name, data] of base) {
      const same = Buffer.from(merged.get(name)!.buffer).equals(Buffer.from(data.buffer));
      expect(same).toBe(!/self_attn\.(q|v)_proj\.weight$/.test(name));
    }
    // logits: merged model vs base + adapter applied through the ParamStore wrapper
    const config = await readModelConfig(baseDir);
    const baseTensors = await loadTensors(join(baseDir, "model.safetensors"));
    const mergedTensors = await loadTensors(join(result.modelDir, "model.safetensors"));
    const shapes = new Map([...baseTensors].map(([n, t]) => [n, t.shape]));
    const adapters = LoraAdapters.fromTensors(shapes, lora, adapter);
    const ids = [
      tokenizer.encode(
        tokenizer.applyChatTemplate([{ role: "user", content: "Name three colours." }], {
          addGenerationPrompt: true,
        }),
      ),
    ];
    const viaAdapter = tf.tidy(() =>
      llamaForward(config, adapters.wrap(storeOf(baseTensors)), ids).logits.dataSync(),
    );
    const viaMerged = tf.tidy(() => llamaForward(config, storeOf(mergedTensors), ids).logits.dataSync());
    const plain = tf.tidy(() => llamaForward(config, storeOf(baseTensors), ids).logits.dataSync());
    let maxDiff = 0;
    let maxChange = 0;
    for (let i = 0; i < viaMerged.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(viaMerged[i]! - viaAdapter[i]!));
      maxChange = Math.max(maxChange, Math.abs(viaMerged[i]! - plain[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxChange).toBeGreaterThan(1e-3);
    adapters.dispose();
    for (const t of [...baseTensors.values(), ...mergedTensors.values()]) t.dispose();
  });

  it("gives the same update for one big batch as for accumulated micro-batches", async () => {
    const a: number[] = [];
    const b: number[] = [];
    await trainCausalLM(
      small(join(root, "acc1"), { maxSteps: 2, microBatchSize: 4, onMetrics: (m) => a.push(m.loss) }),
    );
    await trainCausalLM(
      small(join(root, "acc2"), { maxSteps: 2, microBatchSize: 1, onMetrics: (m) => b.push(m.loss) }),
    );
    expect(a).toHaveLength(2);
    a.forEach((x, i) => {
      expect(Math.abs(x - b[i]!)).toBeLessThan(1e-4);
    });
  });

  it("rejects bad options with typed errors", async () => {
    const bad: Partial<TrainOptions>[] = [
      { globalBatchSize: 0 },
      { unfrozenParameters: ["nothing.matches"] },
      { lora: { r: 4, alpha: 8, dropout: 0, targetModules: ["q_proj"] }, unfrozenParameters: ["model"] },
      { lora: { r: 4, alpha: 8, dropout: 0, targetModules: ["not_a_module"] } },
      { train: [] },
    ];
    for (const extra of bad) {
      let caught: unknown;
      try {
        await trainCausalLM(small(join(root, "bad"), { maxSteps: 1, ...extra }));
      } catch (e) {
        caught = e;
      }
      expect(isCftkitError(caught)).toBe(true);
    }
  });
});
