// `npm run bench -- safetensors [--gb 1.1] [--dtype BF16|F32|F16] [--rounds 2] [--dir /tmp] [--keep]`
//
// Generates a Llama-shaped sharded checkpoint of at least --gb GB in a temp folder, then, alternating for
// --rounds rounds: a plain sequential read of the same files (fs read with a 16 MiB buffer, the physical limit)
// and SafetensorsCheckpoint.iterate() (to float32) — each pass in its own child process so its peak RSS is its
// own. Prints GB/s of both, the ratio, and peak RSS. The files were just written, so unless the OS evicts them
// every pass reads from the page cache: the plain read is then a memory-copy bound, not a disk bound.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { promises as fs, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bf16SimdAvailable,
  ShardedSafetensorsWriter,
  SafetensorsCheckpoint,
  type TensorSpec,
  fromFloat32,
} from "@cftkit/safetensors";

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};

/**
 * Peak resident set of this process in MB. Linux: VmHWM of /proc/self/status (the high-water mark of this
 * process's own memory map; getrusage's maxrss would also count the parent's RSS at fork+exec time).
 */
function peakRssMB(): number {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

interface PassResult {
  bytes: number;
  seconds: number;
  maxRssMB: number;
  baseRssMB: number;
  checksum: number;
}

async function plainRead(files: string[]): Promise<PassResult> {
  const baseRssMB = peakRssMB();
  const buffer = Buffer.allocUnsafe(16 << 20);
  let bytes = 0;
  let checksum = 0;
  const t0 = performance.now();
  for (const file of files) {
    const handle = await fs.open(file, "r");
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      checksum += buffer[0]!;
    }
    bytes += position;
    await handle.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { bytes, seconds, maxRssMB: peakRssMB(), baseRssMB, checksum };
}

async function streamRead(dir: string, mode: string): Promise<PassResult> {
  const baseRssMB = peakRssMB();
  const t0 = performance.now();
  const checkpoint = await SafetensorsCheckpoint.open(dir);
  let checksum = 0;
  const stream =
    mode === "stream-chunks"
      ? checkpoint.iterateChunks()
      : checkpoint.iterate({ reuseBuffers: mode === "stream-reuse" });
  for await (const { data } of stream) {
    checksum += data[0]! + data[data.length - 1]!;
  }
  const seconds = (performance.now() - t0) / 1000;
  let bytes = 0;
  for (const f of checkpoint.files) bytes += (await fs.stat(f)).size;
  await checkpoint.close();
  return { bytes, seconds, maxRssMB: peakRssMB(), baseRssMB, checksum };
}

function runChild(mode: string, dir: string): PassResult {
  // From TypeScript sources through tsx, or plain node when this file was bundled to .mjs.
  const loader = self.endsWith(".ts") ? ["--conditions=source", "--import", "tsx"] : [];
  const r = spawnSync(process.execPath, [...loader, self, "--child", mode, dir], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as PassResult;
}

/** Llama-like tensor list (hidden 2048, MLP 5632, GQA 256-wide k/v, vocab 32000) with enough layers for `gb`. */
function plan(gb: number, dtype: TensorSpec["dtype"]): TensorSpec[] {
  const h = 2048;
  const inter = 5632;
  const kv = 256;
  const vocab = 32000;
  const size = dtype === "F32" ? 4 : 2;
  const specs: TensorSpec[] = [{ name: "model.embed_tokens.weight", dtype, shape: [vocab, h] }];
  let bytes = vocab * h * size * 2 + h * size;
  for (let i = 0; bytes < gb * 1e9; i++) {
    const p = `model.layers.${i}`;
    const layer: TensorSpec[] = [
      { name: `${p}.input_layernorm.weight`, dtype, shape: [h] },
      { name: `${p}.self_attn.q_proj.weight`, dtype, shape: [h, h] },
      { name: `${p}.self_attn.k_proj.weight`, dtype, shape: [kv, h] },
      { name: `${p}.self_attn.v_proj.weight`, dtype, shape: [kv, h] },
      { name: `${p}.self_attn.o_proj.weight`, dtype, shape: [h, h] },
      { name: `${p}.post_attention_layernorm.weight`, dtype, shape: [h] },
      { name: `${p}.mlp.gate_proj.weight`, dtype, shape: [inter, h] },
      { name: `${p}.mlp.up_proj.weight`, dtype, shape: [inter, h] },
      { name: `${p}.mlp.down_proj.weight`, dtype, shape: [h, inter] },
    ];
    specs.push(...layer);
    for (const s of layer) bytes += s.shape.reduce((a, b) => a * b, 1) * size;
  }
  specs.push(
    { name: "model.norm.weight", dtype, shape: [h] },
    { name: "lm_head.weight", dtype, shape: [vocab, h] },
  );
  return specs;
}

async function generate(dir: string, specs: TensorSpec[], dtype: "F32" | "F16" | "BF16"): Promise<void> {
  // One pool of random normal-ish values, encoded once; tensors take slices of it (content does not matter).
  const poolElements = 16 << 20;
  const values = new Float32Array(poolElements);
  let x = 0x12345678;
  for (let i = 0; i < poolElements; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    values[i] = ((x >>> 0) / 4294967296 - 0.5) * 0.04;
  }
  const pool = fromFloat32(values, dtype);
  const writer = await ShardedSafetensorsWriter.open(dir, specs, {
    maxShardBytes: 512e6,
    metadata: { format: "pt" },
  });
  for (const s of specs) {
    const length = s.shape.reduce((a, b) => a * b, 1) * (dtype === "F32" ? 4 : 2);
    const bytes = new Uint8Array(length);
    for (let o = 0; o < length; o += pool.length)
      bytes.set(pool.subarray(0, Math.min(pool.length, length - o)), o);
    await writer.writeBytes(s.name, bytes);
  }
  await writer.commit();
}

const gbs = (r: PassResult) => r.bytes / r.seconds / 1e9;

if (args[0] === "--child") {
  const [, mode, dir] = args;
  let result: PassResult;
  if (mode === "plain") {
    const checkpoint = await SafetensorsCheckpoint.open(dir!);
    const files = checkpoint.files;
    await checkpoint.close();
    result = await plainRead(files);
  } else {
    result = await streamRead(dir!, mode!);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const gb = Number(flag("gb", "1.1"));
  const dtype = flag("dtype", "BF16") as "F32" | "F16" | "BF16";
  const rounds = Number(flag("rounds", "2"));
  const root = await mkdtemp(join(flag("dir", tmpdir()), "cftkit-bench-st-"));
  const dir = join(root, "model");
  try {
    const specs = plan(gb, dtype);
    const t0 = performance.now();
    await generate(dir, specs, dtype);
    const genSeconds = (performance.now() - t0) / 1000;
    const checkpoint = await SafetensorsCheckpoint.open(dir);
    const largest = Math.max(...checkpoint.tensors.map((t) => t.byteLength));
    const largestF32 = Math.max(...checkpoint.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1) * 4));
    console.log(
      `checkpoint: ${(checkpoint.totalBytes / 1e9).toFixed(2)} GB ${dtype}, ${checkpoint.files.length} shards, ${checkpoint.tensors.length} tensors, ` +
        `largest tensor ${(largest / 1e6).toFixed(0)} MB (${(largestF32 / 1e6).toFixed(0)} MB as float32); generated in ${genSeconds.toFixed(1)} s`,
    );
    await checkpoint.close();
    console.log(
      `passes alternate, each in its own child process; the files are in the page cache after writing; BF16 widening: ${bf16SimdAvailable() ? "WebAssembly SIMD" : "JavaScript loop"}`,
    );
    const results: Record<string, PassResult[]> = {
      plain: [],
      stream: [],
      "stream-reuse": [],
      "stream-chunks": [],
    };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["plain", "stream", "stream-reuse", "stream-chunks"] as const) {
        const res = runChild(mode, dir);
        results[mode]!.push(res);
        console.log(
          `  round ${r + 1} ${mode.padEnd(13)} ${gbs(res).toFixed(2)} GB/s  ${res.seconds.toFixed(2)} s  peak RSS ${res.maxRssMB.toFixed(0)} MB (${res.baseRssMB.toFixed(0)} MB at start)`,
        );
      }
    }
    const best = (mode: string) => results[mode]!.reduce((a, b) => (gbs(b) > gbs(a) ? b : a));
    const plain = best("plain");
    console.log("\nbest of each (GB = 1e9 bytes):");
    console.log(`  plain sequential read (fs read, 16 MiB buffer)    ${gbs(plain).toFixed(2)} GB/s`);
    for (const [mode, label] of [
      ["stream", "iterate() → Float32Array (fresh arrays)  "],
      ["stream-reuse", "iterate({ reuseBuffers: true })         "],
      ["stream-chunks", "iterateChunks() (16 MiB float32 chunks)  "],
    ] as const) {
      const s = best(mode);
      const peak = Math.max(...results[mode]!.map((x) => x.maxRssMB));
      console.log(
        `  ${label}          ${gbs(s).toFixed(2)} GB/s  ratio ${(gbs(s) / gbs(plain)).toFixed(2)}  peak RSS ${peak.toFixed(0)} MB`,
      );
    }
  } finally {
    if (!args.includes("--keep")) await rm(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}
