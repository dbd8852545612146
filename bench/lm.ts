// npm run bench -- lm [--quick] [--no-train]
// Forward (inference) throughput of @cftkit/lm for the tiny and small presets — tokens/s and achieved
// GFLOP/s (2·matmul-params·tokens + attention, see forwardFlops) — next to this machine's fp32 sgemm peak
// measured in the same run (numpy a@b via python3), and the ratio. Training rows come from
// bench/lm-train.ts (benchTraining, owned by the training side) and are printed below the forward rows.
import { CausalLM, type LmEngine, forwardFlops, parameterCount, tfBackendInfo } from "@cftkit/lm";
import { benchTraining, numpySgemmPeak } from "./lm-train.ts";

export interface ForwardBenchRow {
  preset: "tiny" | "small";
  engine: LmEngine;
  batch: number;
  seq: number;
  parameters: number;
  tokensPerSecond: number;
  gflops: number;
  msPerForward: number;
}

/** Full-sequence forward passes (logits downloaded to JS) for a batch of random token rows. */
export async function benchForward(
  preset: "tiny" | "small",
  batch: number,
  seq: number,
  seconds = 4,
  engine: LmEngine = "ort",
): Promise<ForwardBenchRow> {
  const model = await CausalLM.init({ preset, seed: 0, engine });
  try {
    const ids = Array.from({ length: batch }, (_, r) =>
      Array.from({ length: seq }, (_, i) => (r * 31 + i * 7) % 256),
    );
    const run = async () => {
      await model.forward(ids);
    };
    await run(); // warm-up: kernel setup, weight transposes
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000 || n < 2) {
      await run();
      n++;
    }
    const dt = (performance.now() - t0) / 1000 / n;
    const tokens = batch * seq;
    // Causal attention: position p attends p+1 keys, average (seq+1)/2.
    const flops = forwardFlops(model.config, tokens, (seq + 1) / 2);
    return {
      preset,
      engine,
      batch,
      seq,
      parameters: parameterCount(model.config),
      tokensPerSecond: tokens / dt,
      gflops: flops / dt / 1e9,
      msPerForward: dt * 1000,
    };
  } finally {
    model.dispose();
  }
}

/** Sampled generation with the KV cache (tfjs): new tokens per second for a batch of 8 prompts. */
export async function benchGenerate(
  preset: "tiny" | "small",
  maxNewTokens = 32,
): Promise<{ preset: string; tokensPerSecond: number }> {
  const model = await CausalLM.init({ preset, seed: 0 });
  try {
    const prompts = Array.from({ length: 8 }, (_, i) => `Prompt number ${i}: tell me something`);
    await model.generate(prompts.slice(0, 1), { maxNewTokens: 4 });
    const t0 = performance.now();
    const out = await model.generate(prompts, { maxNewTokens, temperature: 1, seed: 1 });
    const dt = (performance.now() - t0) / 1000;
    return { preset, tokensPerSecond: out.reduce((s, r) => s + r.tokenIds.length, 0) / dt };
  } finally {
    model.dispose();
  }
}

if (process.argv[1]?.endsWith("lm.ts")) {
  const quick = process.argv.includes("--quick");
  const peak = numpySgemmPeak(quick ? 2048 : 4096);
  const rows: ForwardBenchRow[] = [];
  for (const engine of ["ort", "tfjs"] as const)
    for (const preset of ["tiny", "small"] as const)
      rows.push(await benchForward(preset, 8, 128, quick ? 2 : 4, engine));
  const info = tfBackendInfo();
  console.log(`numpy sgemm peak (fp32, python3): ${peak.toFixed(1)} GFLOP/s`);
  console.log(`tfjs backend: ${info.backend} (simd ${info.simd}, threads ${info.threads})`);
  console.log("forward  engine  preset  params     batch×seq  tokens/s   ms/forward  GFLOP/s  % of peak");
  for (const r of rows)
    console.log(
      `         ${r.engine.padEnd(6)}  ${r.preset.padEnd(6)}  ${String(r.parameters).padEnd(9)}  ${`${r.batch}×${r.seq}`.padEnd(9)}  ${r.tokensPerSecond.toFixed(0).padStart(8)}  ${r.msPerForward.toFixed(1).padStart(10)}  ${r.gflops.toFixed(2).padStart(7)}  ${((100 * r.gflops) / peak).toFixed(2).padStart(8)}%`,
    );
  for (const preset of ["tiny", "small"] as const) {
    const g = await benchGenerate(preset);
    console.log(
      `generate ${preset.padEnd(6)} batch 8, 32 new tokens, KV cache (tfjs): ${g.tokensPerSecond.toFixed(0)} new tokens/s`,
    );
  }
  if (!process.argv.includes("--no-train")) {
    const train = await benchTraining(["tiny", "small"], quick ? 3 : 8);
    console.log("train    preset  steps  tokens/s  GFLOP/s  % of peak  loss first→last");
    for (const r of train)
      console.log(
        `         ${r.preset.padEnd(6)}  ${String(r.steps).padStart(5)}  ${r.tokensPerSecond.toFixed(0).padStart(8)}  ${r.gflops.toFixed(2).padStart(7)}  ${((100 * r.gflops) / peak).toFixed(2).padStart(8)}%  ${r.firstLoss.toFixed(3)}→${r.lastLoss.toFixed(3)}`,
      );
  }
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
