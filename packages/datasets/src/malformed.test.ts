import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { isCftkitError } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { loadDatasetWithSummary } from "./load-dataset.js";
import { createLoadSummary } from "./load-summary.js";
import { exportAxolotl } from "./export.js";
import { streamDataset } from "./load-dataset.js";
import { tempDir } from "./test-helpers.js";
import { readFileSync, existsSync, readdirSync } from "node:fs";

const good = (i: number) => JSON.stringify({ instruction: `task ${i}`, input: "", output: `answer ${i}` });

async function failure(path: string, options = {}) {
  try {
    await loadDatasetWithSummary(path, { onError: "fail", ...options });
  } catch (error) {
    if (isCftkitError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("bad input: each kind names file and line/row, fail or skip, and accounts for every row", () => {
  const dir = tempDir("bad");

  const rowCases: { name: string; kind: string; lines: string[]; badLine: number; pattern: RegExp }[] = [
    {
      name: "malformed JSON line",
      kind: "DATA_MALFORMED_JSON",
      lines: [good(1), '{"instruction": "x", "output": ', good(3)],
      badLine: 2,
      pattern: /malformed JSON/,
    },
    {
      name: "wrong field type",
      kind: "DATA_BAD_FIELD_TYPE",
      lines: [good(1), good(2), JSON.stringify({ instruction: 42, output: "y" })],
      badLine: 3,
      pattern: /"instruction" must be a string, got a number/,
    },
    {
      name: "missing required field",
      kind: "DATA_MISSING_FIELD",
      lines: [JSON.stringify({ instruction: "x", input: "" }), good(2), good(3)],
      badLine: 1,
      pattern: /missing required field "output"/,
    },
    {
      name: "empty instruction",
      kind: "DATA_EMPTY_FIELD",
      lines: [good(1), JSON.stringify({ instruction: "  ", output: "y" }), good(3)],
      badLine: 2,
      pattern: /"instruction" is empty/,
    },
    {
      name: "row that is not an object",
      kind: "DATA_BAD_FIELD_TYPE",
      lines: [good(1), "[1, 2]", good(3)],
      badLine: 2,
      pattern: /must be a JSON object/,
    },
    {
      name: "bad language tag",
      kind: "DATA_BAD_LANGUAGE",
      lines: [good(1), JSON.stringify({ instruction: "x", output: "y", language: "not a tag!" }), good(3)],
      badLine: 2,
      pattern: /not a BCP-47/,
    },
  ];

  for (const c of rowCases) {
    it(c.name, async () => {
      const file = join(dir, `${c.kind}-${c.badLine}.jsonl`);
      writeFileSync(file, `${c.lines.join("\n")}\n`);
      const error = await failure(file, { format: "alpaca" });
      expect(error.code).toBe(c.kind);
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(`${file}:${c.badLine}`);
      expect(error.message).toMatch(c.pattern);
      const { records, summary } = await loadDatasetWithSummary(file, { format: "alpaca", onError: "skip" });
      expect(records.length).toBe(2);
      expect(summary).toMatchObject({ read: 3, written: 2, skipped: 1, reasons: { [c.kind]: 1 } });
      expect(summary.issues[0]).toMatchObject({ kind: c.kind, file, line: c.badLine });
    });
  }

  it("empty output with requireOutput", async () => {
    const file = join(dir, "empty-output.jsonl");
    writeFileSync(file, `${good(1)}\n${JSON.stringify({ instruction: "x", output: "" })}\n`);
    const error = await failure(file, { requireOutput: true });
    expect(error.code).toBe("DATA_EMPTY_FIELD");
    expect(error.message).toContain(`${file}:2`);
    const ok = await loadDatasetWithSummary(file);
    expect(ok.summary).toMatchObject({ read: 2, written: 2, skipped: 0, emptyOutput: 1 });
  });

  it("bad gzip", async () => {
    const file = join(dir, "broken.jsonl.gz");
    const gz = gzipSync(Array.from({ length: 2000 }, (_, i) => good(i)).join("\n"));
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const error = await failure(file);
    expect(error.code).toBe("DATA_BAD_GZIP");
    expect(error.message).toContain(file);
    const { records, summary } = await loadDatasetWithSummary(file, { onError: "skip" });
    expect(summary.read).toBe(records.length);
    expect(summary.fileIssues.map((i) => i.kind)).toEqual(["DATA_BAD_GZIP"]);
    writeFileSync(join(dir, "plain.jsonl.gz"), good(1));
    expect((await failure(join(dir, "plain.jsonl.gz"))).code).toBe("DATA_BAD_GZIP");
  });

  it("truncated JSON array", async () => {
    const file = join(dir, "truncated.json");
    const text = JSON.stringify([JSON.parse(good(1)), JSON.parse(good(2)), JSON.parse(good(3))], null, 1);
    writeFileSync(file, text.slice(0, text.lastIndexOf("answer 3")));
    const error = await failure(file);
    expect(error.code).toBe("DATA_TRUNCATED_JSON");
    expect(error.message).toMatch(new RegExp(`${file}:\\d+`));
    const { records, summary } = await loadDatasetWithSummary(file, { onError: "skip" });
    expect(records.length).toBe(2);
    expect(summary).toMatchObject({ read: 3, written: 2, skipped: 1, reasons: { DATA_TRUNCATED_JSON: 1 } });
    expect(summary.fileIssues[0]!.kind).toBe("DATA_TRUNCATED_JSON");
    // A truncated SQuAD-layout document.
    writeFileSync(join(dir, "xquad.de.json"), '{"data": [{"title": "A", "paragraphs": [');
    expect((await failure(join(dir, "xquad.de.json"))).code).toBe("DATA_TRUNCATED_JSON");
  });

  it("unknown format", async () => {
    const file = join(dir, "odd.jsonl");
    writeFileSync(file, `${JSON.stringify({ foo: 1, bar: 2 })}\n`);
    const error = await failure(file);
    expect(error.code).toBe("DATA_UNKNOWN_FORMAT");
    expect(error.message).toContain(`${file}:1`);
    expect(error.message).toContain("foo, bar");
    writeFileSync(join(dir, "data.csv"), "a,b\n");
    const sub = join(dir, "mixed");
    mkdirSync(sub);
    writeFileSync(join(sub, "data.txt"), "x");
    expect((await failure(join(dir, "data.csv"))).code).toBe("DATA_UNKNOWN_FORMAT");
  });

  it("empty file and folder with no data files", async () => {
    writeFileSync(join(dir, "empty.jsonl"), "\n\n");
    writeFileSync(join(dir, "empty.json"), "");
    writeFileSync(join(dir, "empty-array.json"), "[ ]");
    for (const f of ["empty.jsonl", "empty.json", "empty-array.json"]) {
      const error = await failure(join(dir, f));
      expect(error.code).toBe("DATA_EMPTY_FILE");
      expect(error.message).toContain(join(dir, f));
    }
    const none = join(dir, "none");
    mkdirSync(none);
    writeFileSync(join(none, "README.md"), "nothing");
    const error = await failure(none);
    expect(error.code).toBe("DATA_NO_DATA_FILES");
    expect(error.message).toContain(none);
    expect((await failure(join(dir, "missing.jsonl"))).code).toBe("DATA_NOT_FOUND");
  });

  it("a folder with one bad file: skip keeps the good files and accounts for every row", async () => {
    const folder = join(dir, "folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "a.jsonl"), `${good(1)}\n${good(2)}\n`);
    writeFileSync(join(folder, "b.jsonl"), `${good(3)}\nnot json\n${JSON.stringify({ instruction: "x" })}\n`);
    writeFileSync(join(folder, "c.jsonl"), "");
    const summary = createLoadSummary();
    const out = join(dir, "out.jsonl");
    const result = await exportAxolotl(streamDataset(folder, { onError: "skip", summary }), {
      type: "alpaca",
      out,
    });
    expect(result.rows).toBe(3);
    expect(summary).toMatchObject({
      read: 5,
      written: 3,
      skipped: 2,
      reasons: { DATA_MALFORMED_JSON: 1, DATA_MISSING_FIELD: 1 },
    });
    expect(summary.read).toBe(summary.written + summary.skipped);
    expect(summary.fileIssues.map((i) => i.kind)).toEqual(["DATA_EMPTY_FILE"]);
    expect(readFileSync(out, "utf8").trim().split("\n").length).toBe(3);
  });

  it("outputs are atomic: a failing conversion leaves the previous output untouched and no temp file", async () => {
    const folder = join(dir, "atomic");
    mkdirSync(folder);
    const bad = join(folder, "in.jsonl");
    writeFileSync(bad, `${good(1)}\n${good(2)}\n{broken\n`);
    const out = join(folder, "out.jsonl");
    writeFileSync(out, "previous\n");
    await expect(exportAxolotl(streamDataset(bad), { type: "alpaca", out })).rejects.toMatchObject({
      code: "DATA_MALFORMED_JSON",
    });
    expect(readFileSync(out, "utf8")).toBe("previous\n");
    expect(readdirSync(folder).sort()).toEqual(["in.jsonl", "out.jsonl"]);
    expect(existsSync(out)).toBe(true);
  });
});
