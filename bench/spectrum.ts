// `npm run bench -- spectrum [--layers 1] [--hidden 4096] [--inter 11008] [--threads 2] [--block 32] [--dir /tmp] [--check] [--keep]`
//
// Generates (with the independent numpy script tools/reference/spectrum_snr.py) a Llama-shaped checkpoint —
// per layer q/k/v/o hidden² and gate/up/down hidden×inter, F32 — then, in the same run:
//   1. the cftkit Spectrum scan of those projections (all singular values of every matrix, worker threads);
//   2. numpy `np.linalg.svd(W, compute_uv=False)` on the same float32 matrices, one after another (what
//      Spectrum's svdvals does on a CPU), read by the numpy script from the same file.
// Prints both times and the ratio (cftkit / numpy; < 1 means cftkit is faster). With --check also the largest
// relative SNR difference against the numpy float64 implementation (slow: a float64 SVD of every matrix).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SPECTRUM_TYPES, spectrum } from "@cftkit/freeze";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const script = fileURLToPath(new URL("../tools/reference/spectrum_snr.py", import.meta.url));
const layers = flag("layers", "1");
const hidden = flag("hidden", "4096");
const inter = flag("inter", "11008");
const threads = Number(flag("threads", "2"));
const root = await mkdtemp(join(flag("dir", tmpdir()), "cftkit-bench-spectrum-"));
const dir = join(root, "model");

try {
  let t = performance.now();
  execFileSync("python3", [
    script,
    "make",
    dir,
    "--layers",
    layers,
    "--hidden",
    hidden,
    "--inter",
    inter,
    "--kv",
    hidden,
    "--vocab",
    "256",
    "--seed",
    "1",
  ]);
  console.log(
    `generated ${layers} layer(s), hidden ${hidden}, intermediate ${inter} (F32) with numpy in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const checkpoint = await SafetensorsCheckpoint.open(dir);
  const names = checkpoint.tensors
    .filter(
      (x) =>
        x.shape.length === 2 && DEFAULT_SPECTRUM_TYPES.some((type) => x.name.endsWith(`.${type}.weight`)),
    )
    .map((x) => x.name);
  const shapes = new Map(checkpoint.tensors.map((x) => [x.name, x.shape.join("×")]));
  await checkpoint.close();
  console.log(
    `matrices: ${names.map((n) => `${n.replace(/^model\.layers\./, "")} ${shapes.get(n)}`).join(", ")}`,
  );

  t = performance.now();
  const result = await spectrum(dir, {
    topPercent: 50,
    mode: "unfreeze-top",
    cachePath: null,
    threads,
    svd: { blockSize: Number(flag("block", "32")) },
  });
  const ours = (performance.now() - t) / 1000;
  console.log(
    `cftkit scan (${threads} worker threads, float64 Gram + two-stage tridiagonalisation): ${ours.toFixed(1)} s for ${result.modules.length} matrices`,
  );

  t = performance.now();
  const perMatrix = JSON.parse(
    execFileSync("python3", [script, "svd-time", join(dir, "model.safetensors"), ...names], {
      encoding: "utf8",
    }),
  ) as Record<string, number>;
  const numpyWall = (performance.now() - t) / 1000;
  const numpy = Object.values(perMatrix).reduce((a, b) => a + b, 0);
  for (const n of names) console.log(`  numpy svd ${n} ${shapes.get(n)}: ${perMatrix[n].toFixed(2)} s`);
  console.log(
    `numpy np.linalg.svd(W, compute_uv=False), float32, one after another: ${numpy.toFixed(1)} s of SVD (${numpyWall.toFixed(1)} s with loading)`,
  );
  console.log(`ratio cftkit / numpy = ${(ours / numpy).toFixed(2)}  (target ≤ 1.0)`);

  if (args.includes("--check")) {
    const ref = JSON.parse(
      execFileSync(
        "python3",
        [script, "snr", join(dir, "model.safetensors"), "--types", DEFAULT_SPECTRUM_TYPES.join(",")],
        { encoding: "utf8", maxBuffer: 1 << 26 },
      ),
    ) as {
      snr: Record<string, number>;
    };
    let worst = 0;
    for (const [m, v] of Object.entries(ref.snr))
      worst = Math.max(worst, Math.abs(result.snr[m] - v) / Math.abs(v));
    console.log(`largest relative SNR difference vs numpy float64: ${worst.toExponential(2)}`);
  }
} finally {
  if (!args.includes("--keep")) await rm(root, { recursive: true, force: true });
  else console.log(`kept ${root}`);
}
