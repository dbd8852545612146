import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "@cftkit/core";
import { writeSafetensors } from "@cftkit/safetensors";
import { describe, expect, it } from "vitest";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

async function writeActivations(
  path: string,
  seed: number,
  layers: number,
  samples: number,
  hidden: number,
): Promise<void> {
  const rng = new SeededRandom(seed);
  await writeSafetensors(
    path,
    Array.from({ length: layers }, (_, i) => ({
      name: `layer.${i}`,
      dtype: "F32" as const,
      shape: [samples, hidden],
      data: Float32Array.from({ length: samples * hidden }, () => rng.normal() * (1 + i * seed * 0.1)),
    })),
    { pooling: "mean", model: "test" },
  );
}

describe("cftkit similarity", () => {
  it("mpd --json compares three models with a reference (Definition 2) as numpy does; --base is an alias", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-mpd-"));
    const expected = JSON.parse(
      execFileSync("python3", [join(repoRoot, "tools/reference/mpd.py"), "make", dir, "11"], {
        encoding: "utf8",
      }),
    ) as { mpd: Record<string, number>; normalized: Record<string, number> };
    const names = ["similar", "other", "far"];
    const models = names.map((n) => join(dir, n));
    const { code, stdout, stderr } = await runCftkit([
      "similarity",
      "mpd",
      "--reference",
      join(dir, "reference"),
      ...models,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as {
      reference: string;
      definition: string;
      models: { path: string; mpd: number; normalized: number }[];
    };
    expect(out.reference).toBe(join(dir, "reference"));
    expect(out.definition).toMatch(/Definition 2/);
    expect(out.models.map((m) => m.mpd)).toEqual(names.map((n) => expect.closeTo(expected.mpd[n]!, 6)));
    expect(out.models.map((m) => m.normalized)).toEqual(
      names.map((n) => expect.closeTo(expected.normalized[n]!, 6)),
    );
    const alias = await runCftkit([
      "similarity",
      "mpd",
      "--base",
      join(dir, "reference"),
      ...models,
      "--json",
    ]);
    expect(alias.code, alias.stderr).toBe(0);
    expect((JSON.parse(alias.stdout) as typeof out).models).toEqual(out.models);
    const human = await runCftkit(["similarity", "mpd", "--reference", join(dir, "reference"), ...models]);
    expect(human.stdout).toMatch(/reference.*compared/i);
    const none = await runCftkit(["similarity", "mpd", ...models]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--reference/);
  });

  it("drift --json gives one entry per layer, equal to numpy, and writes the chart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-drift-"));
    await writeActivations(join(dir, "a.safetensors"), 1, 3, 10, 8);
    await writeActivations(join(dir, "b.safetensors"), 2, 3, 10, 8);
    const chart = join(dir, "drift.svg");
    const { code, stdout, stderr } = await runCftkit([
      "similarity",
      "drift",
      join(dir, "a.safetensors"),
      join(dir, "b.safetensors"),
      "--chart",
      chart,
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    const out = JSON.parse(stdout) as { layers: { layer: number; spectral: number; frobenius: number }[] };
    expect(out.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
    expect(out.layers.every((l) => l.spectral > 0 && l.frobenius >= l.spectral)).toBe(true);
    expect(existsSync(chart) && readFileSync(chart, "utf8").startsWith("<svg")).toBe(true);
  });

  it("bad input: mismatched activation files exit 2 with a typed error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-drift-"));
    await writeActivations(join(dir, "a.safetensors"), 1, 3, 10, 8);
    await writeActivations(join(dir, "b.safetensors"), 2, 3, 12, 8);
    const { code, stderr } = await runCftkit([
      "similarity",
      "drift",
      join(dir, "a.safetensors"),
      join(dir, "b.safetensors"),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error\[DRIFT_SAMPLE_MISMATCH\]/m);
  });
});
