// npm run bench -- mpd [--gb 1.1]
// MPD streams two checkpoints tensor by tensor: this writes a base and a tuned checkpoint of ≥ 1 GB each
// (F32, Llama-shaped 4096-wide layers), runs `compareModels` in a child process and prints its peak RSS
// (target < 400 MB) and throughput, next to a plain sequential read of the same bytes.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "@cftkit/core";
import { SafetensorsWriter } from "@cftkit/safetensors";
import { compareModels } from "@cftkit/similarity";

if (process.argv[2] === "--child") {
  const t0 = performance.now();
  const [result] = await compareModels(process.argv[3]!, [process.argv[4]!]);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ mpd: result!.mpd, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const gbIndex = process.argv.indexOf("--gb");
const targetBytes = Number(gbIndex > 0 ? process.argv[gbIndex + 1] : 1.1) * 1e9;
const dim = 4096;
const tensorElements = dim * dim; // 64 MB per F32 tensor
const tensors = Math.ceil(targetBytes / (tensorElements * 4));
const dir = mkdtempSync(join(tmpdir(), "cftkit-bench-mpd-"));
const specs = Array.from({ length: tensors }, (_, i) => ({
  name: `model.layers.${i}.mlp.up_proj.weight`,
  dtype: "F32" as const,
  shape: [dim, dim],
}));

async function write(path: string, seed: number, noise: number): Promise<void> {
  const rng = new SeededRandom(seed);
  const writer = await SafetensorsWriter.open(path, specs);
  const data = new Float32Array(tensorElements);
  for (let t = 0; t < tensors; t++) {
    const base = new SeededRandom(t);
    for (let i = 0; i < data.length; i++)
      data[i] = (base.nextUint32() & 0xffff) / 65536 - 0.5 + (noise ? (rng.next() - 0.5) * noise : 0);
    await writer.write(specs[t]!.name, data);
  }
  await writer.commit();
}

console.log(
  `writing two checkpoints of ${tensors} × [${dim}, ${dim}] F32 (${((tensors * tensorElements * 4) / 1e9).toFixed(2)} GB each) ...`,
);
await write(join(dir, "base.safetensors"), 0, 0);
await write(join(dir, "tuned.safetensors"), 1, 0.01);
const bytes = statSync(join(dir, "base.safetensors")).size * 2;

function plainRead(): number {
  const t0 = performance.now();
  const buffer = Buffer.allocUnsafe(16 << 20);
  for (const f of ["base.safetensors", "tuned.safetensors"]) {
    const fd = openSync(join(dir, f), "r");
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    closeSync(fd);
  }
  return (performance.now() - t0) / 1000;
}

const plainSeconds = plainRead();
const child = JSON.parse(
  execFileSync(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      import.meta.filename,
      "--child",
      join(dir, "base.safetensors"),
      join(dir, "tuned.safetensors"),
    ],
    {
      encoding: "utf8",
    },
  ),
) as { mpd: number; seconds: number; maxRssMb: number };
rmSync(dir, { recursive: true, force: true });
console.log(
  `MPD over ${(bytes / 1e9).toFixed(2)} GB (two checkpoints): ${child.seconds.toFixed(2)} s = ${(bytes / 1e9 / child.seconds).toFixed(2)} GB/s, peak RSS ${child.maxRssMb.toFixed(0)} MB (target < 400 MB)`,
);
console.log(
  `plain sequential read of the same files: ${plainSeconds.toFixed(2)} s = ${(bytes / 1e9 / plainSeconds).toFixed(2)} GB/s; ratio ${(plainSeconds / child.seconds).toFixed(2)}`,
);
