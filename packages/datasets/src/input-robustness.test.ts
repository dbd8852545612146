import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { loadDatasetWithSummary } from "./load-dataset.js";
import { tempDir } from "./test-helpers.js";

const row = (i: number) => JSON.stringify({ instruction: `task ${i}`, input: "", output: `answer ${i}` });

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (error) {
    if (isCftkitError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("input robustness of the shared readers", () => {
  const dir = tempDir("robust");

  it("accepts a UTF-8 BOM in .jsonl exactly as in .json", async () => {
    writeFileSync(join(dir, "bom.jsonl"), `\ufeff${row(1)}\n${row(2)}\n`);
    writeFileSync(join(dir, "bom.json"), `\ufeff[${row(1)},${row(2)}]`);
    const jsonl = await loadDatasetWithSummary(join(dir, "bom.jsonl"), { format: "alpaca", onError: "fail" });
    const json = await loadDatasetWithSummary(join(dir, "bom.json"), { format: "alpaca", onError: "fail" });
    expect(jsonl.records.map((r) => r.instruction)).toEqual(["task 1", "task 2"]);
    expect(json.records.map((r) => r.instruction)).toEqual(jsonl.records.map((r) => r.instruction));
  });

  it.each(["binary.jsonl", "binary.json"])(
    "escapes NUL and control bytes in the error for %s",
    async (name) => {
      const path = join(dir, name);
      writeFileSync(path, Buffer.concat([Buffer.from([0, 0, 1, 0x1b]), Buffer.from("[31mred\n")]));
      const error = await failure(loadDatasetWithSummary(path, { onError: "fail" }));
      expect(error.code).toMatch(/^DATA_/);
      expect(error.message).toContain(name);
      expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    },
  );

  it("a JSONL line over the bound ends the file with DATA_LINE_TOO_LONG (fail) or a counted file issue (skip)", async () => {
    const path = join(dir, "long.jsonl");
    const long = JSON.stringify({ instruction: "x".repeat(3 * 1024 * 1024), output: "y" });
    writeFileSync(path, `${row(1)}\n${long}\n${row(3)}\n`);
    const error = await failure(
      loadDatasetWithSummary(path, { format: "alpaca", onError: "fail", maxLineBytes: 1024 * 1024 }),
    );
    expect(error.code).toBe("DATA_LINE_TOO_LONG");
    expect(error.message).toMatch(/long\.jsonl:2: line 2 is longer than 1048576 bytes/);
    const skipped = await loadDatasetWithSummary(path, {
      format: "alpaca",
      onError: "skip",
      maxLineBytes: 1024 * 1024,
    });
    expect(skipped.records.map((r) => r.instruction)).toEqual(["task 1"]);
    expect(skipped.summary.fileIssues.map((i) => i.kind)).toEqual(["DATA_LINE_TOO_LONG"]);
  });
});
