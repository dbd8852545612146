// npm run bench -- lm-train [--steps N] [--presets tiny,small,medium,large] [--tfjs] [--no-torch] [--profile PRESET]
// Training throughput of @cftkit/lm trainCausalLM (default engine: one onnxruntime graph per micro-batch)
// for the tiny, small (256×4), medium (512×8) and large (768×4, ~26M parameters) presets: micro-batch 4,
// sequence 256 (Alpaca chat rows at least 256 tokens long, so no padding), one micro-batch per step, AdamW. Each row
// shows achieved GFLOP/s (3 × forward FLOPs per token: forward + backward) as % of this machine's fp32
// matmul peak (numpy sgemm 4096²) measured right before and after that row (their mean), and Debian's
// PyTorch (python3-torch, /usr/bin/python3) training the same shapes. The machine is shared: the 1-minute
// load average is printed with every row. `--tfjs` adds the earlier tfjs engine for comparison.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  CausalLM,
  type ModelPreset,
  type TrainEngineName,
  type TrainingExample,
  forwardFlops,
  parameterCount,
  trainCausalLM,
} from "@cftkit/lm";
import { tokenizeTrainingExample } from "@cftkit/lm/internal";

const MICRO_BATCH = 4;
const SEQ = 256;
const GLOBAL_BATCH = 4;

export interface TrainBenchRow {
  preset: ModelPreset;
  engine: TrainEngineName | "torch";
  parameters: number;
  steps: number;
  tokensPerSecond: number;
  gflops: number;
  firstLoss: number;
  lastLoss: number;
  /** numpy sgemm GFLOP/s around this row (mean of before and after). */
  peak: number;
  load: number;
}

function alpacaRows(): TrainingExample[] {
  const path = new URL("../data/alpaca/alpaca_5000.json", import.meta.url);
  const rows = JSON.parse(readFileSync(path, "utf8")) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  return rows.map((r, i) => ({
    id: String(i),
    messages: [
      { role: "user", content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
      { role: "assistant", content: r.output },
    ],
  }));
}

/** numpy float32 matmul peak (GFLOP/s) at n², best of 3. */
export function numpySgemmPeak(n = 4096): number {
  const script = `import numpy as np, time
a=np.random.rand(${n},${n}).astype(np.float32); b=np.random.rand(${n},${n}).astype(np.float32); a@b
best=1e9
for _ in range(3):
    t=time.perf_counter(); a@b; best=min(best,time.perf_counter()-t)
print(2*${n}**3/best/1e9)`;
  return Number(execFileSync("python3", ["-c", script], { encoding: "utf8" }).trim());
}

/** Training FLOPs per token: 3 × forward (matmuls + causal attention over (seq+1)/2 keys on average). */
function flopsPerToken(model: CausalLM): number {
  return (3 * forwardFlops(model.config, 1000, (SEQ + 1) / 2)) / 1000;
}

async function benchEngine(
  preset: ModelPreset,
  engine: TrainEngineName,
  steps: number,
  train: TrainingExample[],
): Promise<Omit<TrainBenchRow, "peak" | "load">> {
  const dir = await mkdtemp(join(tmpdir(), `cftkit-bench-train-${preset}-`));
  try {
    const model = await CausalLM.init({ preset, seed: 0 });
    await model.save(join(dir, "base"));
    const perToken = flopsPerToken(model);
    const parameters = parameterCount(model.config);
    model.dispose();
    const perStep: { tokens: number; seconds: number; loss: number }[] = [];
    await trainCausalLM({
      modelDir: join(dir, "base"),
      outDir: join(dir, "out"),
      train,
      engine,
      learningRate: 1e-3,
      globalBatchSize: GLOBAL_BATCH,
      microBatchSize: MICRO_BATCH,
      warmupSteps: 1,
      sequenceLength: SEQ,
      maxSteps: steps,
      seed: 0,
      onMetrics: (m) =>
        perStep.push({ tokens: m.tokens, seconds: m.tokens / m.tokensPerSecond, loss: m.loss }),
    });
    // tokens/s over the steps after the first (which pays one-time session and allocator setup)
    const measured = perStep.slice(1);
    const tps = measured.reduce((s, r) => s + r.tokens, 0) / measured.reduce((s, r) => s + r.seconds, 0);
    return {
      preset,
      engine,
      parameters,
      steps,
      tokensPerSecond: tps,
      gflops: (tps * perToken) / 1e9,
      firstLoss: perStep[0]!.loss,
      lastLoss: perStep.at(-1)!.loss,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function torchRow(
  preset: ModelPreset,
  steps: number,
): Promise<Omit<TrainBenchRow, "peak" | "load"> | string> {
  const model = await CausalLM.init({ preset, seed: 0 });
  const dir = await mkdtemp(join(tmpdir(), "cftkit-bench-torch-"));
  try {
    await model.save(dir);
    const script = new URL("./torch_train_step.py", import.meta.url).pathname;
    const out = execFileSync(
      "/usr/bin/python3",
      [
        script,
        "--config",
        join(dir, "config.json"),
        "--micro-batch",
        String(MICRO_BATCH),
        "--seq-len",
        String(SEQ),
        "--accumulation",
        String(GLOBAL_BATCH / MICRO_BATCH),
        "--steps",
        String(steps),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const tps = (JSON.parse(out.trim().split("\n").at(-1)!) as { tokens_per_second: number })
      .tokens_per_second;
    return {
      preset,
      engine: "torch",
      parameters: parameterCount(model.config),
      steps,
      tokensPerSecond: tps,
      gflops: (tps * flopsPerToken(model)) / 1e9,
      firstLoss: Number.NaN,
      lastLoss: Number.NaN,
    };
  } catch (error) {
    return `PyTorch not run: ${String((error as { stderr?: string }).stderr ?? error)
      .split("\n")
      .filter(Boolean)
      .at(-1)}`;
  } finally {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Examples whose tokenisation fills the whole sequence (so every micro-batch is exactly 4 × 256). */
async function fullLengthExamples(count: number): Promise<TrainingExample[]> {
  const model = await CausalLM.init({ preset: "tiny", seed: 0 });
  const tokenizer = model.tokenizer!;
  const out = alpacaRows().filter(
    (e) => tokenizeTrainingExample(e, tokenizer, SEQ + 1).inputIds.length > SEQ,
  );
  model.dispose();
  return out.slice(0, count);
}

/** Time per onnxruntime op type for 2 steps of `preset` (CFTKIT_ORT_PROFILE traces), largest first. */
async function printProfile(preset: ModelPreset, train: TrainingExample[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "cftkit-ort-profile-"));
  process.env.CFTKIT_ORT_PROFILE = join(dir, "train");
  try {
    await benchEngine(preset, "ort", 2, train);
  } finally {
    delete process.env.CFTKIT_ORT_PROFILE;
  }
  const byOp = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const events = JSON.parse(readFileSync(join(dir, file), "utf8")) as {
      cat?: string;
      name: string;
      dur: number;
      args?: { op_name?: string };
    }[];
    for (const e of events) {
      if (e.cat !== "Node" || !e.name.endsWith("_kernel_time")) continue;
      const op = e.args?.op_name ?? "?";
      byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
      total += e.dur;
    }
  }
  await rm(dir, { recursive: true, force: true });
  console.log(`\nwhere the time goes (${preset}, onnxruntime kernel time by op type, 2 steps):`);
  for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(
      `  ${op.padEnd(16)} ${(us / 1000).toFixed(0).padStart(8)} ms  ${((100 * us) / total).toFixed(1).padStart(5)}%`,
    );
}

/** Default-engine rows for `presets` (used by bench/lm.ts beside the forward numbers). */
export async function benchTraining(
  presets: ModelPreset[] = ["tiny", "small"],
  steps = 4,
): Promise<Omit<TrainBenchRow, "peak" | "load">[]> {
  const train = await fullLengthExamples(GLOBAL_BATCH * steps);
  const rows = [];
  for (const preset of presets) rows.push(await benchEngine(preset, "ort", steps, train));
  return rows;
}

function format(r: TrainBenchRow): string {
  const pct = (100 * r.gflops) / r.peak;
  const loss = Number.isNaN(r.firstLoss) ? "" : `${r.firstLoss.toFixed(3)}→${r.lastLoss.toFixed(3)}`;
  return `${r.preset.padEnd(6)}  ${(r.parameters / 1e6).toFixed(2).padStart(6)}M  ${r.engine.padEnd(5)}  ${r.tokensPerSecond.toFixed(0).padStart(8)}  ${r.gflops.toFixed(2).padStart(7)}  ${r.peak.toFixed(1).padStart(6)}  ${pct.toFixed(1).padStart(6)}%  ${r.load.toFixed(2).padStart(5)}  ${loss}`;
}

if (process.argv[1]?.endsWith("lm-train.ts")) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const steps = Number(arg("--steps") ?? 3);
  const presets = (arg("--presets") ?? "tiny,small,medium,large").split(",") as ModelPreset[];
  const engines: (TrainEngineName | "torch")[] = ["ort"];
  if (process.argv.includes("--tfjs")) engines.push("tfjs");
  if (!process.argv.includes("--no-torch")) engines.push("torch");
  const train = await fullLengthExamples(GLOBAL_BATCH * steps);
  console.log(
    `micro-batch ${MICRO_BATCH} × sequence ${SEQ}, global batch ${GLOBAL_BATCH}, AdamW, ${steps} steps (first not timed); ${train.length} Alpaca rows of ≥ ${SEQ} tokens`,
  );
  console.log("preset  params   engine  tokens/s  GFLOP/s   peak  % peak   load  loss first→last");
  const rows: TrainBenchRow[] = [];
  for (const preset of presets) {
    for (const engine of engines) {
      const before = numpySgemmPeak();
      const row =
        engine === "torch" ? await torchRow(preset, steps) : await benchEngine(preset, engine, steps, train);
      const load = loadavg()[0]!;
      const after = numpySgemmPeak();
      if (typeof row === "string") {
        console.log(`${preset.padEnd(6)}  ${row}`);
        continue;
      }
      const full = { ...row, peak: (before + after) / 2, load };
      rows.push(full);
      console.log(format(full));
    }
  }
  const profiled = arg("--profile");
  if (profiled) await printProfile(profiled as ModelPreset, train);
  const outFile = arg("--json");
  if (outFile) writeFileSync(outFile, JSON.stringify(rows, null, 2));
  console.log(
    `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average now ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}
