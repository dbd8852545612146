import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const script = join(repo, "tools/reference/spectrum_snr.py");
const root = mkdtempSync(join(tmpdir(), "cftkit-cli-freeze-"));

function cftkit(args: string[]) {
  return spawnSync(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
    cwd: repo,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
    encoding: "utf8",
  });
}

describe("cftkit freeze", () => {
  const base = join(root, "base");
  const tuned = join(root, "tuned");
  beforeAll(() => {
    execFileSync("python3", [
      script,
      "make",
      base,
      "--seed",
      "2",
      "--layers",
      "4",
      "--hidden",
      "24",
      "--inter",
      "40",
      "--kv",
      "8",
    ]);
    execFileSync("python3", [script, "make", tuned, "--base", base, "--change", "0.01", "--dtype", "BF16"]);
  });

  it("spectrum --json prints its documented JSON and --out writes Spectrum's files", () => {
    const out = join(root, "out");
    const r = cftkit([
      "freeze",
      "spectrum",
      base,
      "--top-percent",
      "50",
      "--mode",
      "unfreeze-top",
      "--out",
      out,
      "--types",
      "q,k,v",
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc.snr).length).toBe(12);
    const ref = JSON.parse(
      execFileSync(
        "python3",
        [
          script,
          "snr",
          join(base, "model.safetensors"),
          "--types",
          "self_attn.q_proj,self_attn.k_proj,self_attn.v_proj",
        ],
        { encoding: "utf8" },
      ),
    );
    for (const [m, v] of Object.entries(ref.snr))
      expect(Math.abs(doc.snr[m] - (v as number)) / (v as number)).toBeLessThan(1e-4);
    const yaml = parseYaml(readFileSync(join(out, "unfrozen_parameters_50percent.yaml"), "utf8"));
    expect(yaml.unfrozen_parameters).toEqual(doc.unfrozen_parameters);
    expect(doc.unfrozen_parameters.slice(0, 2)).toEqual(["^lm_head.weight$", "^model.embed_tokens.weight$"]);
    expect(
      JSON.parse(readFileSync(join(out, "snr_results_base.json"), "utf8"))["model.layers.0.self_attn.q_proj"]
        .type,
    ).toBe("self_attn.q_proj");
  });

  it("diff and random print {scores, frozen, unfrozen_parameters}", () => {
    const d = cftkit(["freeze", "diff", base, tuned, "--top-k", "2", "--json"]);
    expect(d.status, d.stderr).toBe(0);
    const diff = JSON.parse(d.stdout);
    expect(Object.keys(diff.scores).length).toBe(12);
    expect(diff.frozen.length).toBe(6);
    expect(Array.isArray(diff.unfrozen_parameters)).toBe(true);
    expect(diff.effective_top_k).toEqual({
      "self_attn.q_proj": 2,
      "self_attn.k_proj": 2,
      "self_attn.v_proj": 2,
    });
    expect(diff.notes).toEqual([]);
    // K above the number of layers: say what was done (every module of each type frozen, effective k).
    const big = cftkit(["freeze", "diff", base, tuned, "--top-k", "10", "--json"]);
    expect(big.status, big.stderr).toBe(0);
    const bigDoc = JSON.parse(big.stdout);
    expect(bigDoc.top_k).toBe(10);
    expect(bigDoc.effective_top_k).toEqual({
      "self_attn.q_proj": 4,
      "self_attn.k_proj": 4,
      "self_attn.v_proj": 4,
    });
    expect(bigDoc.notes).toHaveLength(3);
    expect(bigDoc.notes[0]).toMatch(
      /--top-k 10 but the model has only 4 self_attn\.q_proj modules: froze all 4/,
    );
    const human = cftkit(["freeze", "diff", base, tuned, "--top-k", "10"]);
    expect(human.stderr).toMatch(/note: --top-k 10 but the model has only 4/);
    const r = cftkit(["freeze", "random", base, "--k", "2", "--seed", "11", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const rnd = JSON.parse(r.stdout);
    expect(rnd.layers.length).toBe(2);
    expect(rnd.seed).toBe(11);
  });

  it("bad input exits 2 with error[code]", () => {
    const r = cftkit(["freeze", "diff", base, join(root, "missing"), "--top-k", "2", "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[SAFETENSORS_NOT_FOUND\]/);
    const m = cftkit(["freeze", "spectrum", base, "--top-percent", "50", "--mode", "sideways", "--json"]);
    expect(m.status).toBe(2);
    // No silent default: the two modes are opposite selections.
    const none = cftkit(["freeze", "spectrum", base, "--top-percent", "50", "--json"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/error\[CLI_MISSING_OPTION\]: --mode is required/);
    expect(none.stderr).toMatch(
      /freeze-top: freeze the top-P % SNR modules.*unfreeze-top: train only the top-P %/,
    );
  });
});
