// npm run bench -- hidden-states-large [--shape 1b|8b] [--prompts 80] [--max-tokens 256] [--layers k]
//                                     [--batch-tokens 2048] [--dir bench-out/checkpoints]
// Layer-streamed mean hidden states (@cftkit/lm streamedMeanHiddenStates) on a random BF16 checkpoint with a real
// model's shapes (tools/make-large-checkpoint.ts writes it once): MT-Bench first turns (data/mt_bench), byte-level
// tokens (BOS + UTF-8 bytes) truncated to --max-tokens. Prints minutes, achieved GFLOP/s (matmuls + causal
// attention of the real tokens; padding not counted) against this run's numpy float32 sgemm peak, and the peak RSS
// of the child process that ran the engine. --layers k stops after k decoder layers and extrapolates the rest
// from the measured per-layer time (printed as an extrapolation).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ModelConfig, loadTokenizer, readModelConfig, streamedMeanHiddenStates } from "@cftkit/lm";
import { numpySgemmPeak } from "./lm-train.ts";

const repoRoot = resolve(import.meta.dirname, "..");
const self = join(repoRoot, "bench", "hidden-states-large.ts");

interface ChildResult {
  prompts: number;
  tokens: number;
  embeddingSeconds: number;
  layerSeconds: number[];
  flopsPerLayer: number;
  maxRssMB: number;
  finishedLayers: number;
}

function arg(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

/** Useful FLOPs of one decoder layer over these prompts: its matmuls plus causal QKᵀ and PV. */
function layerFlops(config: ModelConfig, lengths: number[]): number {
  const h = config.hiddenSize;
  const q = config.numAttentionHeads * config.headDim;
  const kv = config.numKeyValueHeads * config.headDim;
  const matmulParams = 2 * h * q + 2 * h * kv + 3 * h * config.intermediateSize;
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const attention = lengths.reduce((s, n) => s + 2 * 2 * q * ((n * (n + 1)) / 2), 0);
  return 2 * matmulParams * tokens + attention;
}

/** Child: run the engine and print one JSON line (its own peak RSS included). */
async function child(dir: string): Promise<void> {
  const prompts = Number(arg("--prompts", "80"));
  const maxTokens = Number(arg("--max-tokens", "256"));
  const stopAfter = Number(arg("--layers", "0"));
  const config = await readModelConfig(dir);
  const tokenizer = await loadTokenizer(dir);
  const questions = readFileSync(join(repoRoot, "data/mt_bench/question.jsonl"), "utf8")
    .trim()
    .split("\n")
    .slice(0, prompts)
    .map((line) => (JSON.parse(line) as { turns: string[] }).turns[0]!);
  const ids = questions.map((q) => tokenizer.encode(q, { addSpecialTokens: true }).slice(0, maxTokens));
  const workDir = mkdtempSync(join(tmpdir(), "cftkit-bench-stream-"));
  const controller = new AbortController();
  const layerSeconds: number[] = [];
  const startedAt = Date.now();
  let embeddingSeconds = 0;
  try {
    await streamedMeanHiddenStates(dir, ids, {
      workDir,
      batchTokens: Number(arg("--batch-tokens", "2048")),
      signal: controller.signal,
      log: (line) => {
        const m = /^layer \d+\/\d+: ([\d.]+) s/.exec(line);
        if (!m) return;
        if (layerSeconds.length === 0) embeddingSeconds = (Date.now() - startedAt) / 1000 - Number(m[1]);
        layerSeconds.push(Number(m[1]));
        process.stderr.write(`${line}\n`);
        if (stopAfter > 0 && layerSeconds.length >= stopAfter) controller.abort();
      },
    });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const result: ChildResult = {
    prompts: ids.length,
    tokens: ids.reduce((s, r) => s + r.length, 0),
    embeddingSeconds,
    layerSeconds,
    flopsPerLayer: layerFlops(
      config,
      ids.map((r) => r.length),
    ),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    finishedLayers: layerSeconds.length,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Run the child on `dir`; returns its result. */
export function runStreamedChild(dir: string, extra: string[] = []): ChildResult {
  const r = spawnSync(
    process.execPath,
    ["--conditions=source", "--import", "tsx", self, "--child", dir, ...extra],
    { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`benchmark child failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ChildResult;
}

async function main(): Promise<void> {
  const shape = arg("--shape", "1b");
  const dir = resolve(arg("--dir", join(repoRoot, "bench-out", "checkpoints")), `llama-${shape}-bf16`);
  const made = spawnSync(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      join(repoRoot, "tools/make-large-checkpoint.ts"),
      "--shape",
      shape,
      "--out",
      dir,
    ],
    { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "inherit", "inherit"] },
  );
  if (made.status !== 0) throw new Error("writing the checkpoint failed");
  const config = await readModelConfig(dir);
  const peakBefore = numpySgemmPeak();
  const passthrough = ["--prompts", "--max-tokens", "--layers", "--batch-tokens"].flatMap((f) =>
    process.argv.includes(f) ? [f, arg(f, "")] : [],
  );
  const result = runStreamedChild(dir, passthrough);
  const peakAfter = numpySgemmPeak();
  const peak = Math.max(peakBefore, peakAfter);
  const L = config.numHiddenLayers;
  const perLayer = result.layerSeconds.reduce((a, b) => a + b, 0) / result.layerSeconds.length;
  const measured = result.embeddingSeconds + result.layerSeconds.reduce((a, b) => a + b, 0);
  const gflops = result.flopsPerLayer / perLayer / 1e9;
  const complete = result.finishedLayers === L;
  console.log(
    `checkpoint: ${dir} (${shape}: hidden ${config.hiddenSize}, ${L} layers, vocab ${config.vocabSize})`,
  );
  console.log(
    `prompts ${result.prompts}, tokens ${result.tokens}, load average ${readFileSync("/proc/loadavg", "utf8").trim()}`,
  );
  console.log(
    `numpy sgemm 4096² peak (python3 on PATH), before/after: ${peakBefore.toFixed(1)} / ${peakAfter.toFixed(1)} GFLOP/s`,
  );
  console.log(
    `layers run: ${result.finishedLayers}/${L}; per layer ${perLayer.toFixed(1)} s (${result.layerSeconds.map((s) => s.toFixed(1)).join(", ")})`,
  );
  console.log(
    `achieved ${gflops.toFixed(1)} GFLOP/s per decoder layer = ${((100 * gflops) / peak).toFixed(1)} % of the sgemm peak`,
  );
  if (complete)
    console.log(
      `total: ${(measured / 60).toFixed(2)} min (embeddings ${result.embeddingSeconds.toFixed(1)} s)`,
    );
  else
    console.log(
      `EXTRAPOLATED total for all ${L} layers: ${((result.embeddingSeconds + L * perLayer) / 60).toFixed(1)} min (measured ${(measured / 60).toFixed(2)} min for ${result.finishedLayers} layers)`,
    );
  console.log(`peak RSS of the engine process: ${result.maxRssMB.toFixed(0)} MB`);
}

if (process.argv.includes("--child")) await child(process.argv[process.argv.indexOf("--child") + 1]!);
else if (process.argv[1]?.endsWith("hidden-states-large.ts")) await main();
