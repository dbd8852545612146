import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AtomicFileWriter } from "./atomic-file-writer.js";
import { writeFileAtomic } from "./atomic-write.js";

describe("atomic writes", () => {
  it("replaces the target whole and leaves no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-atomic-"));
    const target = join(dir, "out.json");
    writeFileSync(target, "old");
    await writeFileAtomic(target, "new");
    expect(readFileSync(target, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["out.json"]);
  });

  it("an aborted streaming write leaves the previous file untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-atomic-"));
    const target = join(dir, "data.jsonl");
    writeFileSync(target, "kept\n");
    const writer = await AtomicFileWriter.open(target);
    await writer.write("partial\n");
    await writer.abort();
    expect(readFileSync(target, "utf8")).toBe("kept\n");
    expect(readdirSync(dir)).toEqual(["data.jsonl"]);
    const second = await AtomicFileWriter.open(target);
    await second.write("a\n");
    await second.write(new Uint8Array([98, 10]));
    await second.commit();
    expect(readFileSync(target, "utf8")).toBe("a\nb\n");
  });
});
