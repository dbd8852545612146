import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

function cftkit(...args: string[]) {
  const r = spawnSync(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cftkit lm (e2e)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-lm-e2e-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hidden-states and generate on a folder with a tokenizer", async () => {
    const full = join(dir, "full");
    expect(cftkit("lm", "init", "--preset", "tiny", "--out", full, "--seed", "4", "--json").code).toBe(0);
    const prompts = join(dir, "prompts.jsonl");
    writeFileSync(
      prompts,
      ['{"turns": ["What is 2+2?", "And 3+3?"]}', '{"prompt": "Bonjour"}', '"plain string"'].join("\n"),
    );
    const acts = join(dir, "acts.safetensors");
    const hs = cftkit(
      "lm",
      "hidden-states",
      full,
      "--prompts",
      prompts,
      "--out",
      acts,
      "--batch-size",
      "2",
      "--json",
    );
    expect(hs.code, hs.stderr).toBe(0);
    expect(JSON.parse(hs.stdout)).toEqual({ layers: 3, samples: 3, hidden_size: 64, engine: "in-memory" });
    const ckpt = await SafetensorsCheckpoint.open(acts);
    expect(ckpt.tensors.map((t) => t.name)).toEqual(["layer.0", "layer.1", "layer.2"]);
    expect(ckpt.info("layer.2").shape).toEqual([3, 64]);
    expect(ckpt.metadata.pooling).toBe("mean");
    await ckpt.close();

    const gen = cftkit(
      "lm",
      "generate",
      full,
      "--prompt",
      "Hi",
      "--max-new-tokens",
      "5",
      "--temperature",
      "1",
      "--seed",
      "3",
      "--json",
    );
    expect(gen.code, gen.stderr).toBe(0);
    const g = JSON.parse(gen.stdout) as {
      seed: number;
      results: { token_ids: number[]; finish_reason: string }[];
    };
    expect(g.seed).toBe(3);
    expect(g.results[0]!.token_ids.length).toBeGreaterThan(0);
    const again = cftkit(
      "lm",
      "generate",
      full,
      "--prompt",
      "Hi",
      "--max-new-tokens",
      "5",
      "--temperature",
      "1",
      "--seed",
      "3",
      "--json",
    );
    expect(JSON.parse(again.stdout)).toEqual(g);
  });
});
