import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSafetensors } from "@cftkit/safetensors";
import { beforeAll, describe, expect, it } from "vitest";
import { layerDiff } from "./layer-diff.js";
import { randomLayers } from "./random-layers.js";
import { reference, referenceScript } from "./test-helpers.js";

const root = mkdtempSync(join(tmpdir(), "cftkit-diff-"));

function names(dir: string): string[] {
  const buf = readFileSync(join(dir, "model.safetensors"));
  const n = Number(buf.readBigUInt64LE(0));
  return Object.keys(JSON.parse(buf.subarray(8, 8 + n).toString("utf8"))).filter((k) => k !== "__metadata__");
}

function trainedByPython(patterns: string[], all: string[]): Set<string> {
  const flags = JSON.parse(
    referenceScript("unfrozen_parameters.py", [], JSON.stringify({ patterns, names: all })),
  ) as boolean[];
  return new Set(all.filter((_, i) => flags[i]));
}

describe.each(["F32", "BF16"])("LF_H2 on numpy-written %s checkpoints", (dtype) => {
  const base = join(root, `${dtype}-base`);
  const tuned = join(root, `${dtype}-tuned`);
  let ref: Record<string, { diff: number; norm: number }>;
  beforeAll(() => {
    reference([
      "make",
      base,
      "--seed",
      "5",
      "--dtype",
      dtype,
      "--layers",
      "12",
      "--hidden",
      "32",
      "--inter",
      "48",
      "--kv",
      "8",
    ]);
    reference(["make", tuned, "--base", base, "--dtype", dtype, "--change", "0.003", "--seed", "6"]);
    ref = JSON.parse(
      reference(["frobenius", join(base, "model.safetensors"), join(tuned, "model.safetensors")]),
    );
  });

  it("scores equal numpy's Frobenius norms to 1e-5; top-K per q/k/v frozen; everything else trains", async () => {
    const result = await layerDiff(base, tuned, { topK: 3, chunkElements: 100 });
    const modules = Object.keys(result.scores);
    expect(modules.length).toBe(36);
    for (const m of modules) {
      const want = ref[`${m}.weight`];
      expect(Math.abs(result.scores[m] - want.diff) / want.diff, m).toBeLessThanOrEqual(1e-5);
      expect(
        Math.abs(result.relative_change[m] - want.diff / want.norm) / (want.diff / want.norm),
      ).toBeLessThanOrEqual(1e-5);
    }
    for (const type of ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"]) {
      const ranked = Object.entries(ref)
        .filter(([n]) => n.endsWith(`${type}.weight`))
        .sort((a, b) => b[1].diff - a[1].diff)
        .slice(0, 3)
        .map(([n]) => n.replace(/\.weight$/, ""));
      expect(result.frozen.filter((m) => m.endsWith(type))).toEqual(ranked);
    }
    const all = names(base);
    const frozen = new Set(result.frozen);
    const intended = new Set(all.filter((n) => !frozen.has(n.replace(/\.weight$/, ""))));
    expect(trainedByPython(result.unfrozen_parameters, all)).toEqual(intended);
    expect(
      result.yaml.startsWith("unfrozen_parameters:\n- ^model.embed_tokens.weight$\n- ^lm_head.weight$\n"),
    ).toBe(true);
  });

  it("types may be shorthands; with out, the YAML and the JSON document are written there", async () => {
    const out = join(root, `${dtype}-out`);
    const result = await layerDiff(base, tuned, { topK: 1, types: ["o", "down", "o"], out });
    expect(result.types).toEqual(["self_attn.o_proj", "mlp.down_proj"]);
    expect(result.files).toEqual({
      yaml: join(out, "unfrozen_parameters_lf_h2.yaml"),
      json: join(out, "unfrozen_parameters_lf_h2.json"),
    });
    expect(readFileSync(result.files.yaml!, "utf8")).toBe(result.yaml);
    const written = JSON.parse(readFileSync(result.files.json!, "utf8"));
    expect(written.frozen).toEqual(result.frozen);
    expect(written.top_k).toBe(1);
    expect(written.files).toBeUndefined();
  });
});

describe("LF_H2 bad input", () => {
  it("different tensor sets and shapes are typed errors", async () => {
    const a = join(root, "bad-a.safetensors");
    const b = join(root, "bad-b.safetensors");
    const c = join(root, "bad-c.safetensors");
    const t = (name: string, shape: number[]) => ({
      name,
      dtype: "F32" as const,
      shape,
      data: new Float32Array(shape.reduce((x, y) => x * y, 1)),
    });
    await writeSafetensors(a, [
      t("model.layers.0.self_attn.q_proj.weight", [4, 4]),
      t("model.norm.weight", [4]),
    ]);
    await writeSafetensors(b, [
      t("model.layers.0.self_attn.q_proj.weight", [4, 2]),
      t("model.norm.weight", [4]),
    ]);
    await writeSafetensors(c, [t("model.layers.0.self_attn.q_proj.weight", [4, 4])]);
    await expect(layerDiff(a, b, { topK: 1 })).rejects.toMatchObject({ code: "FREEZE_SHAPE_MISMATCH" });
    await expect(layerDiff(a, c, { topK: 1 })).rejects.toMatchObject({ code: "FREEZE_TENSOR_SET_MISMATCH" });
    await expect(layerDiff(a, a, { topK: -1 })).rejects.toMatchObject({ code: "FREEZE_BAD_TOP_K" });
  });
});

describe("LF_H1 random layers", () => {
  it("freezes K whole decoder layers, reproducibly by seed", async () => {
    const dir = join(root, "F32-base");
    const one = await randomLayers(dir, { k: 4, seed: 7 });
    const again = await randomLayers(dir, { k: 4, seed: 7 });
    const other = await randomLayers(dir, { k: 4, seed: 8 });
    expect(one.layers).toEqual(again.layers);
    expect(one.unfrozen_parameters).toEqual(again.unfrozen_parameters);
    expect(one.layers.length).toBe(4);
    expect(new Set(one.layers).size).toBe(4);
    expect(one.layers.every((l) => l >= 0 && l < 12)).toBe(true);
    expect(other.layers).not.toEqual(one.layers);
    const all = names(dir);
    const frozenLayers = new Set(one.layers);
    const intended = new Set(
      all.filter((n) => !frozenLayers.has(Number(/^model\.layers\.(\d+)\./.exec(n)?.[1] ?? -1))),
    );
    expect(trainedByPython(one.unfrozen_parameters, all)).toEqual(intended);
    await expect(randomLayers(dir, { k: 13, seed: 1 })).rejects.toMatchObject({ code: "FREEZE_BAD_K" });
  });
});
