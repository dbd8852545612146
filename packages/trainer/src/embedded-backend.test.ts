import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModelConfig, readModelWeights } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEmbedded } from "./embedded-backend.js";
import { parseExperiment } from "./experiment-schema.js";
import { unfrozenMatcher } from "./freeze-selection.js";
import { type CompiledExperiment, compileExperiment } from "./strategy-compiler.js";
import { repoPath } from "./testing/repo-paths.js";
import type { TrainingPlan } from "./training-plan.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-embedded-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

interface SquadFile {
  data: {
    paragraphs: { context: string; qas: { id: string; question: string; answers: { text: string }[] }[] }[];
  }[];
}

/** Small real samples: the shortest Alpaca rows (Phase 1) and XQuAD de/es QA as chat rows (Phase 2). */
async function writeSamples(): Promise<{ alpaca: string; xquad: string }> {
  const alpacaRows = (
    JSON.parse(readFileSync(repoPath("data/alpaca/alpaca_5000.json"), "utf8")) as {
      instruction: string;
      input: string;
      output: string;
    }[]
  )
    .filter((r) => r.input === "")
    .sort((a, b) => a.instruction.length + a.output.length - (b.instruction.length + b.output.length))
    .slice(0, 12);
  const alpaca = join(tmp, "alpaca-sample.jsonl");
  await writeFile(alpaca, alpacaRows.map((r) => JSON.stringify(r)).join("\n"));
  const chat: string[] = [];
  for (const lang of ["de", "es"]) {
    const squad = JSON.parse(readFileSync(repoPath(`data/xquad/xquad.${lang}.json`), "utf8")) as SquadFile;
    for (const p of squad.data[0]!.paragraphs.slice(0, 6)) {
      const qa = p.qas[0]!;
      const answer = qa.answers[0]!.text;
      const sentence = p.context.split(/(?<=\.)\s+/).find((s) => s.includes(answer)) ?? answer;
      chat.push(
        JSON.stringify({
          id: `${lang}-${qa.id}`,
          messages: [
            { role: "user", content: `${sentence.slice(0, 120)}\n${qa.question}` },
            { role: "assistant", content: answer },
          ],
        }),
      );
    }
  }
  const xquad = join(tmp, "xquad-sample.jsonl");
  await writeFile(xquad, chat.join("\n"));
  return { alpaca, xquad };
}

async function weights(dir: string): Promise<Map<string, Float32Array>> {
  const config = await readModelConfig(dir);
  return new Map((await readModelWeights(dir, config)).map((t) => [t.name, t.data]));
}

function changed(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
  return false;
}

/** Tensor names in a safetensors file (header only). */
function safetensorsNames(path: string): string[] {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  return Object.keys(JSON.parse(buf.subarray(8, 8 + n).toString("utf8"))).filter((k) => k !== "__metadata__");
}

let compiled: CompiledExperiment;
const plan = (strategy: string): TrainingPlan => compiled.plans.find((p) => p.strategy === strategy)!;
const FROZEN_PATTERNS = ["model.layers.1.self_attn", "model.layers.1.mlp.down_proj"];

beforeAll(async () => {
  const { alpaca, xquad } = await writeSamples();
  const selection = join(tmp, "lf_h1.yaml");
  await writeFile(selection, `unfrozen_parameters:\n${FROZEN_PATTERNS.map((p) => `- ${p}`).join("\n")}\n`);
  const experiment = parseExperiment({
    name: "tiny",
    seed: 7,
    base_model: { init: "tiny" },
    output_dir: join(tmp, "runs"),
    strategies: ["baseline", "LF_H1", "LoRA"],
    training: {
      learning_rate: 3e-3,
      num_epochs: 1,
      global_batch_size: 4,
      max_micro_batch_size: 2,
      max_steps: 2,
      warmup_steps: 0,
      sequence_len: 192,
    },
    lora: { r: 4, alpha: 8, dropout: 0 },
    settings: [
      {
        name: "alpaca-xquad",
        phase1: { datasets: [{ path: alpaca, type: "alpaca" }] },
        phase2: { datasets: [{ path: xquad, type: "chat_template" }] },
        selections: { LF_H1: selection },
      },
    ],
  });
  compiled = await compileExperiment(experiment, { baseDir: tmp });
});

describe("the embedded backend on a tiny model and real data", () => {
  it("trains Phase 1 then Phase 2 end to end; freezing and LoRA change only what they should", async () => {
    expect(compiled.plans.map((p) => p.strategy)).toEqual(["phase1", "baseline", "LF_H1", "LoRA"]);

    // Phase 1 from a fresh seeded tiny model on Alpaca rows.
    const p1 = await runEmbedded(plan("phase1"));
    expect(p1.steps).toBe(2);
    expect(p1.trainExamples).toBe(12);
    expect(Number.isFinite(p1.finalLoss)).toBe(true);
    const metrics = readFileSync(p1.metricsPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    // The plan's lr and schedule reach the trainer: cosine over 2 steps, no warm-up (lr used by each step).
    expect(metrics.map((m) => m.learning_rate)).toEqual(
      [0, 1].map((i) => expect.closeTo((3e-3 * (1 + Math.cos((Math.PI * i) / 2))) / 2, 8)),
    );
    const base = await weights(p1.baseModelDir);
    const afterP1 = await weights(p1.modelDir);
    expect([...base].every(([n, t]) => changed(t, afterP1.get(n)!))).toBe(true);

    // Phase 2 baseline starts from the Phase-1 output and trains on XQuAD chat rows.
    const baseline = plan("baseline");
    expect(baseline.base_model).toBe(p1.outputDir);
    const p2 = await runEmbedded(baseline);
    expect(p2.baseModelDir).toBe(p1.outputDir);
    expect(p2.steps).toBe(2);
    const afterP2 = await weights(p2.modelDir);
    expect([...afterP1].filter(([n, t]) => changed(t, afterP2.get(n)!)).length).toBe(afterP1.size);

    // LF_H1: only the parameters the unfrozen patterns match may change (Axolotl's rule).
    const lf = await runEmbedded(plan("LF_H1"));
    const afterLf = await weights(lf.modelDir);
    const trains = unfrozenMatcher(FROZEN_PATTERNS);
    const trainable = [...afterP1.keys()].filter(trains);
    expect(trainable.length).toBe(5); // q, k, v, o of layer 1 + its down_proj
    for (const [name, t] of afterP1) expect(changed(t, afterLf.get(name)!), name).toBe(trains(name));
    expect(lf.trainableParameters).toBe(trainable.reduce((s, n) => s + afterP1.get(n)!.length, 0));

    // LoRA: an adapter is saved; the merged model differs only in the targeted linear weights.
    const lora = await runEmbedded(plan("LoRA"));
    expect(lora.adapterDir).toBe(lora.outputDir);
    expect(existsSync(join(lora.outputDir, "adapter_config.json"))).toBe(true);
    const adapterNames = safetensorsNames(join(lora.outputDir, "adapter_model.safetensors"));
    expect(adapterNames.some((n) => n.includes("lora_A"))).toBe(true);
    expect(adapterNames.every((n) => n.startsWith("base_model.model."))).toBe(true);
    const merged = await weights(lora.modelDir);
    const linear = /\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\.weight$/;
    for (const [name, t] of afterP1) expect(changed(t, merged.get(name)!), name).toBe(linear.test(name));
  });
});
