import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCftkit } from "../testing/run-cftkit.js";

async function cftkit(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCftkit(args);
  return { exit: code, stdout, stderr };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-lm-train-"));
  const model = await CausalLM.init({ preset: "tiny", seed: 1 });
  await model.save(join(dir, "base"));
  model.dispose();
  const rows = [
    {
      id: "a",
      messages: [
        { role: "user", content: "Say hi" },
        { role: "assistant", content: "hi" },
      ],
    },
    {
      conversations: [
        { from: "human", value: "2+2?" },
        { from: "gpt", value: "4" },
      ],
    },
    {
      messages: [
        { role: "system", content: "Be terse." },
        { role: "user", content: "Colour of sky?" },
        { role: "assistant", content: "Blue." },
      ],
    },
  ];
  await writeFile(join(dir, "train.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
  await writeFile(
    join(dir, "bad.jsonl"),
    `${JSON.stringify(rows[0])}\n{"messages": [{"role": "robot", "content": "x"}]}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cftkit lm train", () => {
  it("trains a few steps and prints one JSON document (--json)", { timeout: 240_000 }, async () => {
    const out = join(dir, "out");
    const r = await cftkit([
      "lm",
      "train",
      join(dir, "base"),
      "--data",
      join(dir, "train.jsonl"),
      "--out",
      out,
      "--lr",
      "3e-3",
      "--batch",
      "2",
      "--micro-batch",
      "1",
      "--max-steps",
      "2",
      "--warmup",
      "0",
      "--json",
    ]);
    expect(r.exit, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ steps: 2, modelDir: out, seed: 42 });
    const metrics = (await readFile(join(out, "metrics.jsonl"), "utf8")).trim().split("\n");
    expect(metrics).toHaveLength(2);
  });

  it("rejects a bad row with its line number and exit code 2", { timeout: 120_000 }, async () => {
    const r = await cftkit([
      "lm",
      "train",
      join(dir, "base"),
      "--data",
      join(dir, "bad.jsonl"),
      "--out",
      join(dir, "bad-out"),
      "--json",
    ]);
    expect(r.exit).toBe(2);
    expect(r.stderr).toMatch(/error\[LM_TRAIN_BAD_ROW\]: .*bad\.jsonl:2/);
    expect(r.stdout).toBe("");
  });
});
