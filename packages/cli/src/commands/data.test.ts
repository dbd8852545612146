import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCftkit } from "../testing/run-cftkit.js";

async function cftkit(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await runCftkit(args);
  return { exit: code, stdout, stderr };
}

const lines = (path: string) => readFileSync(path, "utf8").trim().split("\n");

describe("cftkit data", () => {
  it("convert, align, stats, sample on the bundled data; bad input exits 2 naming the line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-data-cli-"));
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"instruction": "a", "output": "b"}\n{"instruction": "a", "output": \n');
    const [alpaca, xquad, align, stats, sample, failed, skipped] = await Promise.all([
      cftkit([
        "data",
        "convert",
        "data/alpaca/alpaca_5000.json",
        "--from",
        "alpaca",
        "--to",
        "axolotl-alpaca",
        "--out",
        join(dir, "alpaca.jsonl"),
        "--json",
      ]),
      cftkit([
        "data",
        "convert",
        "data/xquad",
        "--from",
        "squad",
        "--to",
        "cftkit",
        "--out",
        join(dir, "xquad.jsonl"),
        "--json",
      ]),
      cftkit(["data", "align", "data/xquad", "--json"]),
      cftkit(["data", "stats", "data/mt_bench/question.jsonl", "--json"]),
      cftkit([
        "data",
        "sample",
        "data/alpaca/alpaca_5000.json",
        "--count",
        "100",
        "--seed",
        "3",
        "--to",
        "axolotl-chat",
        "--out",
        join(dir, "s.jsonl"),
        "--json",
      ]),
      cftkit(["data", "convert", bad, "--to", "cftkit", "--out", join(dir, "bad-out.jsonl"), "--json"]),
      cftkit([
        "data",
        "convert",
        bad,
        "--to",
        "cftkit",
        "--on-error",
        "skip",
        "--out",
        join(dir, "bad-out.jsonl"),
        "--json",
      ]),
    ]);
    expect(alpaca.exit, alpaca.stderr).toBe(0);
    const a = JSON.parse(alpaca.stdout);
    // The public subset has two rows with `output: ""`: nothing to train on, skipped and counted.
    expect(a.rows).toBe(4998);
    expect(a.summary).toMatchObject({
      read: 5000,
      written: 4998,
      skipped: 2,
      reasons: { DATA_EMPTY_OUTPUT: 2 },
    });
    expect(a.datasetEntry).toMatchObject({ type: "alpaca", ds_type: "json" });
    expect(lines(join(dir, "alpaca.jsonl")).length).toBe(4998);
    expect(Object.keys(JSON.parse(lines(join(dir, "alpaca.jsonl"))[0]!))).toEqual([
      "instruction",
      "input",
      "output",
    ]);

    expect(xquad.exit, xquad.stderr).toBe(0);
    expect(JSON.parse(xquad.stdout).rows).toBe(14280);
    const recs = lines(join(dir, "xquad.jsonl")).map(
      (l) => JSON.parse(l) as { language: string; parallel_id: string },
    );
    const en = new Set(recs.filter((r) => r.language === "en").map((r) => r.parallel_id));
    expect(en.size).toBe(1190);
    expect(recs.every((r) => en.has(r.parallel_id))).toBe(true);

    expect(align.exit, align.stderr).toBe(0);
    const al = JSON.parse(align.stdout);
    expect(al).toMatchObject({
      records: 14280,
      english: 1190,
      non_english: 13090,
      aligned: 13090,
      missing: 0,
    });
    expect(Object.keys(al.per_language).length).toBe(11);

    expect(stats.exit, stats.stderr).toBe(0);
    const st = JSON.parse(stats.stdout);
    expect(st.rows).toBe(80);
    expect(st.languages).toEqual({ en: 80 });
    expect(st.promptLength.max).toBeGreaterThan(st.promptLength.min);

    expect(sample.exit, sample.stderr).toBe(0);
    expect(JSON.parse(sample.stdout)).toMatchObject({ rows: 100, seed: 3 });
    expect(JSON.parse(lines(join(dir, "s.jsonl"))[0]!).messages[0].role).toBe("user");

    expect(failed.exit).toBe(2);
    expect(failed.stderr).toContain(`error[DATA_MALFORMED_JSON]: ${bad}:2`);
    expect(skipped.exit, skipped.stderr).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({
      rows: 1,
      summary: { read: 2, written: 1, skipped: 1, reasons: { DATA_MALFORMED_JSON: 1 } },
    });
  }, 180_000);
});
