// `npm run bench -- freeze-diff [--layers 2] [--hidden 4096] [--inter 11008] [--dtype F32|BF16] [--dir /tmp] [--keep]`
//
// Generates two Llama-shaped checkpoints of ≥ 1 GB each with the independent numpy script (a base and a "tuned"
// copy = base + noise), then runs `layerDiff` (LF_H2: Frobenius norm of every q/k/v change, streamed in chunks)
// in a child process and prints its time and peak RSS (VmHWM), next to numpy computing the same norms in the
// same run (tools/reference/spectrum_snr.py frobenius, whole tensors in float64) and the largest relative
// difference between the two. Target: peak RSS < 400 MB.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { layerDiff } from "@cftkit/freeze";
import { DECODER_LINEAR_MODULES } from "@cftkit/safetensors";

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const script = fileURLToPath(new URL("../tools/reference/spectrum_snr.py", import.meta.url));

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

if (args[0] === "--child") {
  const t = performance.now();
  const result = await layerDiff(args[1], args[2], {
    topK: 1,
    types: [...DECODER_LINEAR_MODULES],
  });
  process.stdout.write(
    `${JSON.stringify({ seconds: (performance.now() - t) / 1000, peakRssMB: peakRssMB(), scores: result.scores })}\n`,
  );
} else {
  const root = await mkdtemp(join(flag("dir", tmpdir()), "cftkit-bench-diff-"));
  const dtype = flag("dtype", "F32");
  try {
    const base = join(root, "base");
    const tuned = join(root, "tuned");
    let t = performance.now();
    const shape = [
      "--layers",
      flag("layers", "2"),
      "--hidden",
      flag("hidden", "4096"),
      "--inter",
      flag("inter", "11008"),
      "--kv",
      "1024",
      "--vocab",
      "256",
    ];
    execFileSync("python3", [script, "make", base, "--dtype", dtype, ...shape]);
    execFileSync("python3", [script, "make", tuned, "--base", base, "--dtype", dtype, "--change", "0.001"]);
    const gb = (d: string) => statSync(join(d, "model.safetensors")).size / 1e9;
    console.log(
      `checkpoints: base ${gb(base).toFixed(2)} GB, tuned ${gb(tuned).toFixed(2)} GB (${dtype}), generated with numpy in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const loader = self.endsWith(".ts") ? ["--conditions=source", "--import", "tsx"] : [];
    const child = spawnSync(process.execPath, [...loader, self, "--child", base, tuned], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
    const ours = JSON.parse(child.stdout.trim().split("\n").at(-1) as string) as {
      seconds: number;
      peakRssMB: number;
      scores: Record<string, number>;
    };
    t = performance.now();
    const ref = JSON.parse(
      execFileSync(
        "python3",
        [script, "frobenius", join(base, "model.safetensors"), join(tuned, "model.safetensors")],
        { encoding: "utf8", maxBuffer: 1 << 26 },
      ),
    ) as Record<string, { diff: number }>;
    const numpySeconds = (performance.now() - t) / 1000;
    let worst = 0;
    for (const [m, s] of Object.entries(ours.scores))
      worst = Math.max(worst, Math.abs(s - ref[`${m}.weight`].diff) / ref[`${m}.weight`].diff);
    console.log(
      `cftkit freeze diff (streamed): ${ours.seconds.toFixed(1)} s, peak RSS ${ours.peakRssMB.toFixed(0)} MB (target < 400 MB)`,
    );
    console.log(
      `numpy (whole tensors, float64, all tensors): ${numpySeconds.toFixed(1)} s; ratio ${(ours.seconds / numpySeconds).toFixed(2)}`,
    );
    console.log(
      `largest relative difference of the ${Object.keys(ours.scores).length} scores vs numpy: ${worst.toExponential(2)}`,
    );
  } finally {
    if (!args.includes("--keep")) await rm(root, { recursive: true, force: true });
  }
}
