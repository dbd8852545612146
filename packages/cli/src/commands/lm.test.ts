import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const REF = join(ROOT, "tools/reference/llama_forward.py");

function cftkit(...args: string[]) {
  const r = spawnSync(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function maxRel(a: number[], b: number[]): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

describe("cftkit lm", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-lm-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, "tiny");

  it("init → logits --json (weights-only folder) matches the numpy reference; bad ids exit 2", () => {
    const init = cftkit("lm", "init", "--preset", "tiny", "--out", model, "--seed", "4", "--json");
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ preset: "tiny", seed: 4, vocab_size: 260 });
    // An existing model is kept unless --force.
    const weights = readFileSync(join(model, "model.safetensors"));
    const again = cftkit("lm", "init", "--out", model, "--seed", "5", "--json");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error\[CLI_OUTPUT_EXISTS\]: --out .* --force/);
    expect(readFileSync(join(model, "model.safetensors")).equals(weights)).toBe(true);
    const forced = cftkit("lm", "init", "--out", model, "--seed", "4", "--force", "--json");
    expect(forced.code, forced.stderr).toBe(0);

    // Weights-only folder: logits need no tokenizer.
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) rmSync(join(model, f));
    const ids = "256,72,101,108,108,111";
    const res = cftkit("lm", "logits", model, "--token-ids", ids, "--json");
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { logits: number[][]; hidden_mean: number[][] };
    expect(out.logits.length).toBe(6);
    expect(out.logits[0]!.length).toBe(260);
    expect(out.hidden_mean.length).toBe(3);
    const refFile = join(dir, "ref.json");
    const py = spawnSync(
      "python3",
      [REF, "forward", "--model", model, "--token-ids", ids, "--out", refFile],
      { encoding: "utf8" },
    );
    expect(py.status, py.stderr).toBe(0);
    const ref = JSON.parse(readFileSync(refFile, "utf8")) as {
      logits: number[][][];
      hidden_states: number[][][][];
    };
    expect(maxRel(out.logits.flat(), ref.logits[0]!.flat())).toBeLessThan(1e-4);
    ref.hidden_states[0]!.forEach((layer, l) => {
      const mean = layer[0]!.map((_, j) => layer.reduce((s, pos) => s + pos[j]!, 0) / layer.length);
      expect(maxRel(out.hidden_mean[l]!, mean)).toBeLessThan(1e-4);
    });

    const bad = cftkit("lm", "logits", model, "--token-ids", "1,2,x", "--json");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error[CLI_BAD_TOKEN_IDS]");
  });
});
