import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readJsonLines } from "./json-lines.js";
import { LineSplitter } from "./line-splitter.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-lines-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const text = (lines: { bytes: Buffer }[]) => lines.map((l) => l.bytes.toString("utf8"));

describe("LineSplitter", () => {
  it("drops a UTF-8 BOM (even split over chunks), handles CRLF and numbers lines", () => {
    const s = new LineSplitter("f");
    const bytes = Buffer.from('\ufeff{"a":1}\r\n\r\n{"b":2}', "utf8");
    const lines = [
      ...s.push(bytes.subarray(0, 1)),
      ...s.push(bytes.subarray(1, 2)),
      ...s.push(bytes.subarray(2)),
    ];
    lines.push(...s.end());
    expect(text(lines)).toEqual(['{"a":1}', "", '{"b":2}']);
    expect(lines.map((l) => l.lineNumber)).toEqual([1, 2, 3]);
    // A BOM anywhere else is content.
    expect(text(new LineSplitter("g").push(Buffer.from("x\n\ufeffy\n")))).toEqual(["x", "\ufeffy"]);
  });

  it("refuses an over-long line as soon as it passes the bound, not after buffering it", () => {
    const s = new LineSplitter("big.jsonl", 2_500_000);
    const mb = Buffer.alloc(1_000_000, 0x61);
    s.push(mb);
    s.push(mb);
    expect(() => s.push(mb)).toThrow(
      expect.objectContaining({
        code: "LINE_TOO_LONG",
        message: expect.stringMatching(/big\.jsonl: line 1 is longer than 2500000 bytes/),
      }),
    );
  });
});

describe("readJsonLines", () => {
  it("accepts a BOM in .jsonl and .jsonl.gz", async () => {
    const body = '\ufeff{"a":1}\n{"a":2}\n';
    writeFileSync(join(tmp, "bom.jsonl"), body);
    writeFileSync(join(tmp, "bom.jsonl.gz"), gzipSync(body));
    for (const f of ["bom.jsonl", "bom.jsonl.gz"]) {
      const rows = [];
      for await (const line of readJsonLines(join(tmp, f))) rows.push(line);
      expect(rows).toEqual([
        { ok: true, lineNumber: 1, value: { a: 1 } },
        { ok: true, lineNumber: 2, value: { a: 2 } },
      ]);
    }
  });

  it("a 4 MB file without a newline fails with LINE_TOO_LONG under a 1 MB bound", async () => {
    const path = join(tmp, "no-newline.jsonl");
    writeFileSync(path, Buffer.alloc(4 * 1024 * 1024, 0x78));
    const read = async () => {
      for await (const _ of readJsonLines(path, { maxLineBytes: 1024 * 1024 })) void _;
    };
    await expect(read()).rejects.toMatchObject({ code: "LINE_TOO_LONG", exitCode: 2 });
  });

  it("escapes binary bytes in the reason of a line that is not JSON", async () => {
    const path = join(tmp, "binary.jsonl");
    writeFileSync(path, Buffer.from([0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]));
    const rows = [];
    for await (const line of readJsonLines(path)) rows.push(line);
    expect(rows[0]!.ok).toBe(false);
    const reason = (rows[0] as { reason: string }).reason;
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
  });
});
