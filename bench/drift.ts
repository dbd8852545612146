// npm run bench -- drift
// Representation drift at the size (d = 4096 hidden units, n = 80 MT-Bench samples per model):
// cftkit's Gram formulation next to numpy forming both 4096×4096 covariances and running eigvalsh on the
// difference, on the same activations, in the same run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "@cftkit/core";
import { covarianceShift } from "@cftkit/similarity";

const d = Number(process.env.DRIFT_DIM ?? 4096);
const n = 80;
const rng = new SeededRandom(1);
const make = (shift: number) =>
  Float32Array.from({ length: n * d }, () => rng.normal() * (1 + shift) + shift);
const a = make(0);
const b = make(0.3);

const t0 = performance.now();
const ours = covarianceShift({ data: a, rows: n, dim: d }, { data: b, rows: n, dim: d });
const oursSeconds = (performance.now() - t0) / 1000;

const dir = mkdtempSync(join(tmpdir(), "cftkit-bench-drift-"));
writeFileSync(join(dir, "a.bin"), a);
writeFileSync(join(dir, "b.bin"), b);
const script = `
import time, numpy as np
a = np.fromfile("${join(dir, "a.bin")}", dtype="<f4").reshape(${n}, ${d}).astype(np.float64)
b = np.fromfile("${join(dir, "b.bin")}", dtype="<f4").reshape(${n}, ${d}).astype(np.float64)
t = time.perf_counter()
diff = np.cov(b, rowvar=False) - np.cov(a, rowvar=False)
e = np.linalg.eigvalsh(diff)
print(time.perf_counter() - t, float(np.max(np.abs(e))), float(np.linalg.norm(diff, "fro")))
`;
const [numpySeconds, spectral, frobenius] = execFileSync("python3", ["-c", script], { encoding: "utf8" })
  .trim()
  .split(" ")
  .map(Number) as [number, number, number];
rmSync(dir, { recursive: true, force: true });

console.log(`drift, d=${d}, n=${n} per model (one layer)`);
console.log(
  `  cftkit Gram formulation : ${oursSeconds.toFixed(3)} s   spectral ${ours.spectral.toPrecision(8)}  frobenius ${ours.frobenius.toPrecision(8)}`,
);
console.log(
  `  numpy cov + eigvalsh    : ${numpySeconds.toFixed(3)} s   spectral ${spectral.toPrecision(8)}  frobenius ${frobenius.toPrecision(8)}`,
);
console.log(
  `  speed-up ${(numpySeconds / oursSeconds).toFixed(1)}x; relative difference spectral ${(Math.abs(ours.spectral - spectral) / spectral).toExponential(2)}, frobenius ${(Math.abs(ours.frobenius - frobenius) / frobenius).toExponential(2)}`,
);
