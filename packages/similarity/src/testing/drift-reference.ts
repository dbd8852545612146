import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SeededRandom } from "@cftkit/core";

// Test-only helpers: synthetic activations and the independent numpy drift reference (tools/reference/drift.py).
const reference = fileURLToPath(new URL("../../../../tools/reference/drift.py", import.meta.url));

/** Activations with structure: a few strong directions plus noise, like real hidden states. */
export function activations(rng: SeededRandom, rows: number, dim: number, shift: number): Float32Array {
  const out = new Float32Array(rows * dim);
  const directions = Array.from({ length: 3 }, () => Float32Array.from({ length: dim }, () => rng.normal()));
  for (let r = 0; r < rows; r++) {
    const weights = directions.map(() => rng.normal() * (1 + shift));
    for (let j = 0; j < dim; j++) {
      let v = rng.normal() * 0.1 + shift;
      for (let k = 0; k < directions.length; k++) v += weights[k]! * directions[k]![j]!;
      out[r * dim + j] = v;
    }
  }
  return out;
}

export function numpyDrift(
  a: Float32Array,
  b: Float32Array,
  na: number,
  nb: number,
  d: number,
): { spectral: number; frobenius: number } {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-drift-"));
  writeFileSync(join(dir, "a.bin"), a);
  writeFileSync(join(dir, "b.bin"), b);
  const out = execFileSync(
    "python3",
    [reference, join(dir, "a.bin"), join(dir, "b.bin"), String(na), String(nb), String(d)],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(out) as { spectral: number; frobenius: number };
}
