// npm run bench -- lm-train [--steps N]
// Training throughput of the embedded trainer (@cftkit/lm trainCausalLM, tfjs wasm) for the tiny and small
// presets on Alpaca chat examples, with the achieved GFLOP/s (≈ 3 × forward FLOPs per token: forward +
// backward) next to this machine's fp32 matrix-multiply peak measured in the same run (numpy sgemm 4096²).
// `benchTraining` is exported so bench/lm.ts can print these rows beside the forward numbers.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM, forwardFlops, tfBackendInfo, type TrainingExample, trainCausalLM } from "@cftkit/lm";

export interface TrainBenchRow {
  preset: "tiny" | "small";
  steps: number;
  tokensPerSecond: number;
  gflops: number;
  firstLoss: number;
  lastLoss: number;
  backend: string;
}

function alpaca(count: number): TrainingExample[] {
  const path = new URL("../data/alpaca/alpaca_5000.json", import.meta.url);
  const rows = JSON.parse(readFileSync(path, "utf8")) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  return rows.slice(0, count).map((r, i) => ({
    id: String(i),
    messages: [
      { role: "user", content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
      { role: "assistant", content: r.output },
    ],
  }));
}

/** Train each preset for `steps` optimizer steps (global batch 8, micro-batch 4, sequence length 256). */
export async function benchTraining(
  presets: ("tiny" | "small")[] = ["tiny", "small"],
  steps = 8,
): Promise<TrainBenchRow[]> {
  const rows: TrainBenchRow[] = [];
  const train = alpaca(400);
  for (const preset of presets) {
    const dir = await mkdtemp(join(tmpdir(), `cftkit-bench-train-${preset}-`));
    try {
      const model = await CausalLM.init({ preset, seed: 0 });
      const config = model.config;
      await model.save(join(dir, "base"));
      model.dispose();
      const perStep: { tokens: number; seconds: number; loss: number }[] = [];
      await trainCausalLM({
        modelDir: join(dir, "base"),
        outDir: join(dir, "out"),
        train,
        learningRate: 3e-3,
        globalBatchSize: 8,
        microBatchSize: 4,
        warmupSteps: 1,
        sequenceLength: 256,
        maxSteps: steps,
        seed: 0,
        onMetrics: (m) =>
          perStep.push({ tokens: m.tokens, seconds: m.tokens / m.tokensPerSecond, loss: m.loss }),
      });
      // tokens/s over the steps after the first (which pays one-time kernel setup)
      const measured = perStep.slice(1);
      const tps = measured.reduce((s, r) => s + r.tokens, 0) / measured.reduce((s, r) => s + r.seconds, 0);
      const flopsPerToken = (3 * forwardFlops(config, 1000, 64)) / 1000;
      rows.push({
        preset,
        steps,
        tokensPerSecond: tps,
        gflops: (tps * flopsPerToken) / 1e9,
        firstLoss: perStep[0]!.loss,
        lastLoss: perStep.at(-1)!.loss,
        backend: tfBackendInfo().backend,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

/** numpy float32 matmul peak (GFLOP/s) at 4096², best of 3. */
export function numpySgemmPeak(n = 4096): number {
  const script = `import numpy as np, time
a=np.random.rand(${n},${n}).astype(np.float32); b=np.random.rand(${n},${n}).astype(np.float32); a@b
best=1e9
for _ in range(3):
    t=time.perf_counter(); a@b; best=min(best,time.perf_counter()-t)
print(2*${n}**3/best/1e9)`;
  return Number(execFileSync("python3", ["-c", script], { encoding: "utf8" }).trim());
}

if (process.argv[1]?.endsWith("lm-train.ts")) {
  const stepsIndex = process.argv.indexOf("--steps");
  const steps = stepsIndex > 0 ? Number(process.argv[stepsIndex + 1]) : 8;
  const peak = numpySgemmPeak();
  const rows = await benchTraining(["tiny", "small"], steps);
  console.log(`numpy sgemm 4096² peak: ${peak.toFixed(1)} GFLOP/s`);
  console.log("preset  steps  train tokens/s  GFLOP/s  % of peak  loss first→last  backend");
  for (const r of rows) {
    console.log(
      `${r.preset.padEnd(6)}  ${String(r.steps).padStart(5)}  ${r.tokensPerSecond.toFixed(0).padStart(14)}  ${r.gflops.toFixed(2).padStart(7)}  ${((100 * r.gflops) / peak).toFixed(2).padStart(8)}%  ${r.firstLoss.toFixed(3)}→${r.lastLoss.toFixed(3)}  ${r.backend}`,
    );
  }
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
