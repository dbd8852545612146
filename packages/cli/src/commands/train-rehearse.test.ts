import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runCftkit } from "../testing/run-cftkit.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-rehearse-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, extra: Record<string, unknown>): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(
    path,
    stringify({
      base_model: join(dir, "base"),
      datasets: [{ path: join(dir, "data.jsonl"), type: "alpaca" }],
      output_dir: join(dir, name),
      learning_rate: 0.001,
      ...extra,
    }),
  );
  return path;
}

beforeAll(async () => {
  const init = await runCftkit(["lm", "init", "--out", join(dir, "base")]);
  expect(init.code, init.stderr).toBe(0);
}, 60_000);

describe("cftkit train rehearse", () => {
  it("--check --json reports each pattern and the trainable count", async () => {
    const config = writeConfig("check", { unfrozen_parameters: ["model.layers.0.mlp", "^lm_head.weight$"] });
    const res = await runCftkit(["train", "rehearse", config, "--check", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      mode: string;
      patterns: { matches: string[] }[];
      trainable_parameters: number;
    };
    expect(out.mode).toBe("check");
    expect(out.patterns.map((p) => p.matches.length)).toEqual([3, 1]);
    expect(out.trainable_parameters).toBeGreaterThan(0);
  }, 60_000);

  it("unsupported keys and empty patterns are bad input (exit 2) naming what is wrong", async () => {
    const unsupported = writeConfig("unsupported", { rl: "dpo", load_in_4bit: true });
    const a = await runCftkit(["train", "rehearse", unsupported]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("error[TRAIN_REHEARSE_UNSUPPORTED]");
    expect(a.stderr).toContain("rl, load_in_4bit: true");
    const empty = writeConfig("empty", { unfrozen_parameters: ["model.layers.9"] });
    const b = await runCftkit(["train", "rehearse", empty, "--check"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('pattern "model.layers.9" matches no tensor');
    expect(b.stdout).toContain("All parameters are frozen");
  }, 60_000);
});
