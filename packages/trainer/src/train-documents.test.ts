import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAxolotlLog } from "./axolotl-log-parser.js";
import { axolotlLogDocument, axolotlLogFileDocument } from "./train-documents.js";
import { fixtureCombinedLog } from "./testing/axolotl-output.js";

describe("axolotlLogDocument (cftkit train logs --json)", () => {
  it("counts the metric lines by type and keeps the progress and failure signatures", () => {
    const doc = axolotlLogDocument(parseAxolotlLog(fixtureCombinedLog(8)));
    // 8 train lines, the nan and inf lines and one after a tqdm redraw; one eval line; the summary
    expect(doc.counts).toEqual({ train: 11, eval: 1, summary: 1 });
    expect(doc.metrics).toHaveLength(13);
    expect(doc.metrics[0]).toMatchObject({ type: "train", loss: 1.45 });
    expect(doc.progress).toMatchObject({ done: 4, total: 8 }); // the last bar drawn
    expect(Array.isArray(doc.failure_signals)).toBe(true);
  });
});

describe("axolotlLogFileDocument (cftkit train logs <file> --out)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-log-doc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is the file's log document, naming the file, and writes its metrics as JSON lines", async () => {
    const file = join(dir, "train.log");
    writeFileSync(file, fixtureCombinedLog(8));
    const metricsOut = join(dir, "metrics.jsonl");
    const doc = await axolotlLogFileDocument(file, { metricsOut });
    expect(doc).toEqual({ file, ...axolotlLogDocument(parseAxolotlLog(fixtureCombinedLog(8))) });
    const lines = readFileSync(metricsOut, "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(doc.metrics);
  });

  it("refuses an empty metrics path before reading", async () => {
    await expect(axolotlLogFileDocument(join(dir, "absent.log"), { metricsOut: "" })).rejects.toMatchObject({
      code: "TRAIN_BAD_OPTION",
    });
  });

  it("refuses a file that is not a Trainer log", async () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "hello\n");
    await expect(axolotlLogFileDocument(file)).rejects.toMatchObject({ code: "TRAIN_LOG_NOT_RECOGNISED" });
  });
});
