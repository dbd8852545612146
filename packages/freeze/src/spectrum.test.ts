import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SingularValuePool } from "./linalg/worker-pool.js";
import { spectrum } from "./spectrum.js";
import { decodeNumber, reference, referenceScript } from "./test-helpers.js";
import { matchesUnfrozen } from "./unfrozen-patterns.js";

const ALL_TYPES = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
  "input_layernorm",
  "post_attention_layernorm",
  "model.norm",
  "model.embed_tokens",
  "lm_head",
];

interface ReferenceSnr {
  snr: Record<string, number | string>;
  types: Record<string, string>;
  selected: Record<string, string[]>;
}

const root = mkdtempSync(join(tmpdir(), "cftkit-spectrum-"));
let pool: SingularValuePool;

beforeAll(() => {
  pool = new SingularValuePool(2);
});
afterAll(async () => {
  await pool.close();
});

function names(dir: string): string[] {
  const file = join(dir, "model.safetensors");
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  return Object.keys(JSON.parse(buf.subarray(8, 8 + n).toString("utf8"))).filter((k) => k !== "__metadata__");
}

function trainedByPython(patterns: string[], all: string[]): Set<string> {
  const flags = JSON.parse(
    referenceScript("unfrozen_parameters.py", [], JSON.stringify({ patterns, names: all })),
  ) as boolean[];
  return new Set(all.filter((_, i) => flags[i]));
}

describe.each(["F32", "BF16"])("spectrum on a numpy-written %s checkpoint", (dtype) => {
  const dir = join(root, dtype);
  let ref: ReferenceSnr;
  beforeAll(() => {
    reference([
      "make",
      dir,
      "--seed",
      dtype === "F32" ? "3" : "4",
      "--dtype",
      dtype,
      "--layers",
      "6",
      "--hidden",
      "40",
      "--inter",
      "72",
      "--kv",
      "8",
    ]);
    ref = JSON.parse(
      reference([
        "snr",
        join(dir, "model.safetensors"),
        "--types",
        ALL_TYPES.join(","),
        "--top-percent",
        "50",
      ]),
    );
  });

  it("every SNR equals the numpy implementation to 1e-4 and the selections are identical", async () => {
    const out = join(dir, "out");
    const result = await spectrum(dir, {
      topPercent: 50,
      types: ALL_TYPES,
      out,
      pool,
      modelName: "org/tiny_llama",
      mode: "unfreeze-top",
    });
    expect(Object.keys(result.snr).sort()).toEqual(Object.keys(ref.snr).sort());
    for (const [module, value] of Object.entries(ref.snr)) {
      const want = decodeNumber(value);
      const got = result.snr[module];
      expect(Math.abs(got - want) / Math.abs(want), module).toBeLessThanOrEqual(1e-4);
      expect(result.types[module]).toBe(ref.types[module]);
    }
    expect(result.selected).toEqual(ref.selected);
    // 1-D norms: S has one value, noise is empty → Spectrum's current rule gives exactly 1.
    expect(result.snr["model.layers.0.input_layernorm"]).toBe(1);
    // Files in Spectrum's form.
    const json = JSON.parse(readFileSync(join(out, "snr_results_org-tiny-llama.json"), "utf8"));
    expect(json["model.layers.2.mlp.down_proj"]).toEqual({
      snr: result.snr["model.layers.2.mlp.down_proj"],
      type: "mlp.down_proj",
    });
    const yamlText = readFileSync(join(out, "unfrozen_parameters_50percent.yaml"), "utf8");
    const lines = yamlText.trimEnd().split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "unfrozen_parameters:",
      "- ^lm_head.weight$",
      "- ^model.embed_tokens.weight$",
    ]);
    expect(lines[3]).toBe("# input_layernorm layers");
    const parsed = parseYaml(yamlText) as { unfrozen_parameters: unknown[] };
    expect(parsed.unfrozen_parameters.every((p) => typeof p === "string")).toBe(true);
    expect(parsed.unfrozen_parameters).toEqual(result.unfrozen_parameters);
    // Under Axolotl's rule the patterns train exactly the selected modules (+ head and embeddings).
    const all = names(dir);
    const selectedModules = new Set(Object.values(ref.selected).flat());
    const intended = new Set(
      all.filter(
        (n) =>
          n === "lm_head.weight" ||
          n === "model.embed_tokens.weight" ||
          selectedModules.has(n.replace(/\.weight$/, "")),
      ),
    );
    expect(trainedByPython(result.unfrozen_parameters, all)).toEqual(intended);
    expect(new Set(all.filter((n) => matchesUnfrozen(result.unfrozen_parameters, n)))).toEqual(intended);
  });

  it("freeze-top trains exactly the complement; the cache makes a second scan free", async () => {
    const out = join(dir, "out");
    const types = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "mlp.down_proj"];
    const result = await spectrum(dir, { topPercent: 34, types, out, pool, mode: "freeze-top" });
    expect(result.modules.every((m) => m.cached)).toBe(true);
    const refSel = JSON.parse(
      reference(["snr", join(dir, "model.safetensors"), "--types", types.join(","), "--top-percent", "34"]),
    ) as ReferenceSnr;
    const frozen = new Set(Object.values(refSel.selected).flat());
    expect(new Set(result.frozen)).toEqual(frozen);
    expect(frozen.size).toBe(4 * 2); // floor(6 · 34 / 100) = 2 per type
    const all = names(dir);
    const intended = new Set(all.filter((n) => !frozen.has(n.replace(/\.weight$/, ""))));
    expect(trainedByPython(result.unfrozen_parameters, all)).toEqual(intended);
    const parsed = parseYaml(readFileSync(join(out, "unfrozen_parameters_34percent.yaml"), "utf8")) as {
      unfrozen_parameters: string[];
    };
    expect(parsed.unfrozen_parameters).toEqual(result.unfrozen_parameters);
  });
});

describe("spectrum cache", () => {
  it("resumes from a partial cache (torn last line ignored) and gives the same values", async () => {
    const dir = join(root, "cache");
    reference(["make", dir, "--seed", "9", "--layers", "3", "--hidden", "24", "--inter", "40", "--kv", "8"]);
    const cachePath = join(dir, "snr.jsonl");
    const first = await spectrum(dir, { topPercent: 50, pool, cachePath, mode: "unfreeze-top" });
    const lines = readFileSync(cachePath, "utf8").trimEnd().split("\n");
    expect(lines.length).toBe(21);
    writeFileSync(cachePath, `${lines.slice(0, 10).join("\n")}\n${lines[10].slice(0, 20)}`);
    const second = await spectrum(dir, { topPercent: 50, pool, cachePath, mode: "unfreeze-top" });
    expect(second.modules.filter((m) => m.cached).length).toBe(10);
    expect(second.snr).toEqual(first.snr);
    const third = await spectrum(dir, {
      topPercent: 50,
      pool,
      cachePath,
      noiseEmpty: "infinity",
      mode: "unfreeze-top",
    });
    expect(third.modules.every((m) => m.cached)).toBe(true);
    // legacyInfinity (the CLI's --legacy-infinity) is the same rule; shorthand types name the same modules.
    const legacy = await spectrum(dir, {
      topPercent: 50,
      pool,
      cachePath,
      legacyInfinity: true,
      types: ["q", "k", "v", "o", "gate", "up", "down"],
      mode: "unfreeze-top",
    });
    expect(legacy.snr).toEqual(third.snr);
    expect(Object.values(third.snr)).toContain(Number.POSITIVE_INFINITY);
  });
});
