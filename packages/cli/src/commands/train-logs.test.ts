import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCftkit } from "../testing/run-cftkit.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-train-logs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("cftkit train logs", () => {
  it("a file with nothing that looks like a Trainer log is an error (exit 2), not an empty table", async () => {
    const file = join(tmp, "README.md");
    writeFileSync(file, "# notes\nloss went down\n");
    const r = await runCftkit(["train", "logs", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error\[TRAIN_LOG_NOT_RECOGNISED\]: .*README\.md: nothing in it looks like a Trainer log/m,
    );
  });
});
