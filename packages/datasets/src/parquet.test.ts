import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { loadDataset, loadDatasetWithSummary } from "./load-dataset.js";
import { repoRoot, tempDir } from "./test-helpers.js";

/** Write `rows` as parquet with the independent Python writer (tools/reference/write_parquet.py). */
function writeParquet(rows: unknown[], out: string, args: string[] = []): void {
  const json = `${out}.json`;
  writeFileSync(json, JSON.stringify(rows));
  const r = spawnSync("python3", [join(repoRoot(), "tools/reference/write_parquet.py"), json, out, ...args], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`write_parquet.py failed: ${r.stderr}`);
}

describe("parquet (hyparquet) against an independent writer", () => {
  it("an OpenOrca-layout parquet file loads with the same rows as its JSONL twin", async () => {
    const dir = tempDir("parquet");
    const rows = Array.from({ length: 57 }, (_, i) => ({
      id: `flan.${i}`,
      system_prompt: i % 4 === 0 ? null : `System ${i} — ünïcödé 日本`,
      question: `Question ${i}: ${"why ".repeat(i % 7)}?`,
      response: `Response ${i}`,
    }));
    writeParquet(rows, join(dir, "orca.parquet"), ["--row-group-size", "10"]);
    writeFileSync(join(dir, "orca.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    const fromParquet = await loadDataset(join(dir, "orca.parquet"), { format: "openorca", source: "orca" });
    const fromJsonl = await loadDataset(join(dir, "orca.jsonl"), { format: "openorca", source: "orca" });
    expect(fromParquet.length).toBe(57);
    expect(fromParquet).toEqual(fromJsonl);
    expect(fromParquet[1]!.system).toBe("System 1 — ünïcödé 日本");
    expect(fromParquet[0]!.system).toBeUndefined();
  });

  it("alpaca layout with integer ids (INT64) and auto-detected format", async () => {
    const dir = tempDir("parquet");
    const rows = [
      { id: 7, instruction: "Add", input: "2+2", output: "4", lang: "en" },
      { id: 8, instruction: "Multipliez", input: "3*3", output: "9", lang: "fr" },
    ];
    writeParquet(rows, join(dir, "a.parquet"));
    const recs = await loadDataset(join(dir, "a.parquet"));
    expect(recs.map((r) => [r.id, r.language, r.instruction, r.input, r.output])).toEqual([
      ["7", "en", "Add", "2+2", "4"],
      ["8", "fr", "Multipliez", "3*3", "9"],
    ]);
  });

  it("a parquet file without a required column names the file and the column", async () => {
    const dir = tempDir("parquet");
    writeParquet([{ id: "x", question: "Q" }], join(dir, "noresp.parquet"));
    const error = await loadDatasetWithSummary(join(dir, "noresp.parquet"), { format: "openorca" }).catch(
      (e) => e,
    );
    expect(isCftkitError(error)).toBe(true);
    expect(error.code).toBe("DATA_PARQUET_MISSING_COLUMN");
    expect(error.message).toContain("noresp.parquet");
    expect(error.message).toContain('"response"');
    const skipped = await loadDatasetWithSummary(join(dir, "noresp.parquet"), {
      format: "openorca",
      onError: "skip",
    });
    expect(skipped.records).toEqual([]);
    expect(skipped.summary.fileIssues[0]!.kind).toBe("DATA_PARQUET_MISSING_COLUMN");
    writeFileSync(join(dir, "junk.parquet"), "PAR1 this is not parquet PAR1");
    const junk = await loadDatasetWithSummary(join(dir, "junk.parquet")).catch((e) => e);
    expect(junk.code).toBe("DATA_PARQUET_UNREADABLE");
  });
});
