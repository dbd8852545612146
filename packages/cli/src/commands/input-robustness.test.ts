import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCftkit } from "../testing/run-cftkit.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-robust-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the CLI on awkward input files", () => {
  it("reads a .jsonl with a UTF-8 BOM", async () => {
    const file = join(tmp, "bom.jsonl");
    writeFileSync(file, '\ufeff{"instruction":"a","output":"b"}\n');
    const r = await runCftkit(["data", "stats", file, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(1);
  });

  it("never echoes NUL or escape bytes of a binary file to the terminal", async () => {
    const file = join(tmp, "binary.jsonl");
    writeFileSync(file, Buffer.concat([Buffer.from([0, 0, 1, 0x1b]), Buffer.from("[2Jcleared\n")]));
    const r = await runCftkit(["data", "stats", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[DATA_MALFORMED_JSON\]: .*binary\.jsonl:1: .*\\0\\0\\x01\\x1b/m);
    expect(r.stderr).not.toMatch(/[\u0000\u001b]/);
  });
});
