import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-convert-train-"));
  // The two real Alpaca rows with `output: ""` (positions 2335 and 4658 of the bundled subset) among others.
  const alpaca = JSON.parse(readFileSync(join(repoRoot, "data/alpaca/alpaca_5000.json"), "utf8")) as {
    output: string;
  }[];
  const rows = [...alpaca.slice(0, 4), alpaca[2335]!, alpaca[4658]!];
  expect(rows.filter((r) => r.output === "")).toHaveLength(2);
  await writeFile(join(dir, "alpaca.json"), JSON.stringify(rows));
  const model = await CausalLM.init({ preset: "tiny", seed: 1 });
  await model.save(join(dir, "base"));
  model.dispose();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("data convert --to embedded, then lm train", () => {
  it("skips rows with an empty response (counted), and lm train accepts every row written", {
    timeout: 240_000,
  }, async () => {
    const out = join(dir, "train.jsonl");
    const convert = await runCftkit([
      "data",
      "convert",
      join(dir, "alpaca.json"),
      "--from",
      "alpaca",
      "--to",
      "embedded",
      "--out",
      out,
      "--json",
    ]);
    expect(convert.code, convert.stderr).toBe(0);
    const doc = JSON.parse(convert.stdout);
    expect(doc.rows).toBe(4);
    expect(doc.summary).toMatchObject({ read: 6, written: 4, skipped: 2, reasons: { DATA_EMPTY_OUTPUT: 2 } });
    expect(doc.summary.read).toBe(doc.summary.written + doc.summary.skipped);

    const train = await runCftkit([
      "lm",
      "train",
      join(dir, "base"),
      "--data",
      out,
      "--out",
      join(dir, "trained"),
      "--batch",
      "2",
      "--micro-batch",
      "1",
      "--max-steps",
      "1",
      "--warmup",
      "0",
      "--json",
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ steps: 1 });
  });
});
