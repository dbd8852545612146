import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  runDataAlign,
  runDataConvert,
  runDataMix,
  runDataSample,
  runDataSplit,
  runDataStats,
} from "./data-file-runs.js";
import { describeConversion, describeSample, describeSplit } from "./dataset-descriptions.js";

const repoRoot = join(import.meta.dirname, "../../..");
const xquadDe = join(repoRoot, "data/xquad/xquad.de.json"); // 1,190 SQuAD-layout records
const xquadEn = join(repoRoot, "data/xquad/xquad.en.json");
const alpaca = join(repoRoot, "data/alpaca/alpaca_5000.json");
const dir = mkdtempSync(join(tmpdir(), "cftkit-data-runs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (path: string) => readFileSync(path, "utf8").trim().split("\n").length;

describe("the cftkit data commands as functions (reading choices in, document out)", () => {
  it("stats: the document has the summary before the language report", async () => {
    const run = await runDataStats(xquadDe, { languageReport: true, candidates: ["de", "en"] });
    expect(run.document).toMatchObject({ path: xquadDe, rows: 1190, languages: { de: 1190 } });
    expect(Object.keys(run.document).slice(-2)).toEqual(["summary", "language_report"]);
    expect(run.document.summary).toMatchObject({ read: 1190, written: 1190, skipped: 0 });
    expect(run.summary.read).toBe(1190);
    expect(run.notes).toEqual([]);
  });

  it("convert: a training layout skips rows without a response, counted in the summary", async () => {
    const out = join(dir, "alpaca.embedded.jsonl");
    const run = await runDataConvert(alpaca, out, { to: "embedded" });
    const { read, written, skipped } = run.summary;
    expect(read).toBe(5000);
    expect(written + skipped).toBe(read);
    expect(run.document).toMatchObject({ in: alpaca, out, to: "embedded", rows: rowsOf(out) });
    expect(describeConversion(run.document)).toEqual([
      `wrote ${run.document.rows} rows to ${out} (embedded)`,
    ]);
    const alpacaOut = join(dir, "alpaca.alpaca.jsonl");
    const axolotl = await runDataConvert(alpaca, alpacaOut, { to: "axolotl-alpaca" });
    expect(describeConversion(axolotl.document)[1]).toMatch(/^axolotl datasets entry: \{.*"type":"alpaca"/);
  });

  it("sample: a count larger than the data keeps everything, with a note; the same seed gives the same file", async () => {
    const out = join(dir, "sample.jsonl");
    const run = await runDataSample(xquadDe, out, { count: 5000, seed: 1 });
    expect(run.notes).toEqual([
      `note: --count 5000 is more than the 1190 records of ${xquadDe}; keeping all of them`,
    ]);
    expect(run.document).toMatchObject({
      in: xquadDe,
      out,
      rows: 1190,
      seed: 1,
      count: 5000,
      stratify: null,
    });
    const small = await runDataSample(xquadDe, join(dir, "small.jsonl"), { count: 7, seed: 2 });
    const again = await runDataSample(xquadDe, join(dir, "again.jsonl"), { count: 7, seed: 2 });
    expect(small.notes).toEqual([]);
    expect(readFileSync(join(dir, "again.jsonl"), "utf8")).toBe(
      readFileSync(join(dir, "small.jsonl"), "utf8"),
    );
    expect(describeSample(again.document)).toBe(
      `sampled 7 of 1190 records (seed 2) → ${join(dir, "again.jsonl")}`,
    );
  });

  it("mix: one ratio or count per input, else DATA_BAD_OPTION before anything is written", async () => {
    const out = join(dir, "mix.jsonl");
    const inputs = [xquadDe, xquadEn];
    await expect(runDataMix(out, { inputs, ratios: [0.5] })).rejects.toMatchObject({
      code: "DATA_BAD_OPTION",
      message: "bad options: ratios: --ratios needs one value per input (2), got 1",
    });
    await expect(runDataMix(out, { inputs, counts: [1, 2, 3] })).rejects.toMatchObject({
      message: "bad options: counts: --counts needs one value per input (2), got 3",
    });
    expect(existsSync(out)).toBe(false);
    const run = await runDataMix(out, { inputs, counts: [5, 7], seed: 3 });
    expect(run.document.parts.map((p) => [p.available, p.taken])).toEqual([
      [1190, 5],
      [1190, 7],
    ]);
    expect(run.document).toMatchObject({ out, rows: 12, seed: 3, summary: { read: 2380 } });
  });

  it("split and align: documents with the reading summary", async () => {
    const out = { outTrain: join(dir, "train.jsonl"), outValidation: join(dir, "val.jsonl") };
    const split = await runDataSplit(xquadDe, { ...out, validation: 0.1, groupBy: "parallel_id", seed: 4 });
    expect(split.document.train + split.document.validation).toBe(1190);
    expect(split.document).toMatchObject({ seed: 4, summary: { read: 1190 } });
    expect(describeSplit(split.document, out)).toBe(
      `train ${split.document.train} → ${out.outTrain}; validation ${split.document.validation} → ${out.outValidation}`,
    );
    const align = await runDataAlign(xquadDe, { english: xquadEn });
    expect(align.document).toMatchObject({ aligned: 1190, missing: 0, summary: { read: 2380 } });
  });

  it("refuses bad reading choices with DATA_BAD_OPTION", async () => {
    await expect(runDataStats(xquadDe, { fields: ["nonsense"] })).rejects.toMatchObject({
      code: "DATA_BAD_OPTION",
    });
  });
});
