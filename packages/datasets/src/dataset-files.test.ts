import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  alignDatasetFiles,
  datasetFileStats,
  mixDatasetFiles,
  sampleDatasetFile,
  splitDatasetFile,
} from "./dataset-files.js";
import { createLoadSummary, loadSummaryJson, loadSummaryLines } from "./load-summary.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-dataset-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jsonl(name: string, rows: object[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return path;
}
const lines = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const rows = (n: number, language: string, prefix = "") =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${language}-${i}`,
    language,
    instruction: `question ${i} in ${language}`,
    output: `answer ${i}`,
    parallel_id: `p${i}`,
    source: "test",
  }));

describe("the data commands as file operations", () => {
  const en = jsonl("en.jsonl", rows(10, "en"));
  const de = jsonl("de.jsonl", rows(6, "de"));

  it("samples a count by streaming twice, and says how many records there were", async () => {
    const summary = createLoadSummary();
    const out = join(dir, "sample.jsonl");
    const result = await sampleDatasetFile(en, out, { summary }, { count: 4, seed: 1, to: "cftkit" });
    expect(result).toEqual({ rows: 4, available: 10 });
    expect(new Set(lines(out).map((r) => r.id)).size).toBe(4);
    expect(summary.read).toBe(10); // the counting pass does not count twice
    const again = join(dir, "sample-again.jsonl");
    await sampleDatasetFile(en, again, {}, { count: 4, seed: 1, to: "cftkit" });
    expect(readFileSync(again, "utf8")).toBe(readFileSync(out, "utf8"));
  });

  it("samples an exact ratio in memory", async () => {
    const result = await sampleDatasetFile(
      en,
      join(dir, "ratio.jsonl"),
      {},
      { ratio: 0.3, seed: 2, to: "cftkit" },
    );
    expect(result).toEqual({ rows: 3 });
  });

  it("mixes by counts, totalling every input in one summary", async () => {
    const out = join(dir, "mix.jsonl");
    const mixed = await mixDatasetFiles(
      [
        { path: en, count: 5 },
        { path: de, count: 2 },
      ],
      out,
      {},
      { seed: 0, to: "cftkit" },
    );
    expect(mixed.rows).toBe(7);
    expect(mixed.parts.map((p) => [p.name, p.available, p.taken])).toEqual([
      [en, 10, 5],
      [de, 6, 2],
    ]);
    expect(mixed.summary.read).toBe(16);
    expect(lines(out).filter((r) => r.language === "de")).toHaveLength(2);
  });

  it("aligns non-English records with their English twins and writes pairs and the missing", async () => {
    const both = jsonl("both.jsonl", [...rows(4, "en"), ...rows(6, "de")]);
    const summary = createLoadSummary();
    const out = join(dir, "pairs.jsonl");
    const missingOut = join(dir, "missing.jsonl");
    const result = await alignDatasetFiles(both, { summary }, { out, missingOut });
    expect(result).toMatchObject({ records: 10, english: 4, non_english: 6, aligned: 4, missing: 2 });
    expect(result.per_language).toEqual({ de: { records: 6, aligned: 4 } });
    expect(lines(out)[0]).toMatchObject({ language: "de", parallel_id: "p0", english: { language: "en" } });
    expect(lines(missingOut).map((r) => r.id)).toEqual(result.missing_ids);
    await expect(alignDatasetFiles(both, { summary }, { out: "" })).rejects.toMatchObject({
      code: "DATA_BAD_OPTION",
    });
  });

  it("splits into two files, keeping parallel ids together, and counts the rows written", async () => {
    const both = jsonl("split.jsonl", [...rows(4, "en"), ...rows(4, "de")]);
    const out = { train: join(dir, "train.jsonl"), validation: join(dir, "val.jsonl") };
    const summary = createLoadSummary();
    const written = await splitDatasetFile(
      both,
      out,
      { summary },
      { validation: 1, seed: 3, groupBy: "parallel_id", to: "cftkit" },
    );
    expect(written).toEqual({ train: 6, validation: 2 });
    const held = lines(out.validation).map((r) => r.parallel_id);
    expect(new Set(held).size).toBe(1);
    expect(lines(out.train).some((r) => r.parallel_id === held[0])).toBe(false);
  });

  it("counts statistics and reports the summary as JSON and log lines", async () => {
    const summary = createLoadSummary();
    const { stats, languageReport } = await datasetFileStats(de, { summary });
    expect(stats.rows).toBe(6);
    expect(languageReport).toBeUndefined();
    expect(loadSummaryJson(summary)).toMatchObject({ read: 6, written: 6, skipped: 0, empty_output: 0 });
    expect(loadSummaryLines(summary)).toEqual(["read 6, written 6, skipped 0"]);
  });
});

describe("the data file option schemas (shared with `cftkit data` flags)", () => {
  it("are checked by the functions before anything is read or written", async () => {
    const out = join(dir, "refused.jsonl");
    await expect(sampleDatasetFile("missing.jsonl", out, {}, { ratio: 1.5 })).rejects.toMatchObject({
      code: "DATA_BAD_OPTION",
      message: expect.stringMatching(/ratio/),
    });
    await expect(
      splitDatasetFile(
        "missing.jsonl",
        { train: out, validation: out },
        { summary: createLoadSummary() },
        {
          validation: 0,
        },
      ),
    ).rejects.toMatchObject({ code: "DATA_BAD_OPTION", message: expect.stringMatching(/validation/) });
    await expect(mixDatasetFiles([], out, {}, { seed: -1 })).rejects.toMatchObject({
      code: "DATA_BAD_OPTION",
    });
    expect(existsSync(out)).toBe(false);
  });
});
