import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppendOnlyJournal, acquireRunLock, repairTornTail } from "./append-only-journal.js";
import { localChatTemplate } from "./chat-templates.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-journal-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("AppendOnlyJournal", () => {
  it("appends, reopens, refuses duplicates and repairs a torn tail", async () => {
    const path = join(dir, "j.jsonl");
    const { journal } = await AppendOnlyJournal.open(path, { fsyncEvery: 2 });
    journal.append({ id: "a", v: 1 } as { id: string });
    journal.append({ id: "b", v: 2 } as { id: string });
    expect(() => journal.append({ id: "a" })).toThrow(
      expect.objectContaining({ code: "REPLAY_DUPLICATE_ID" }),
    );
    journal.close();
    writeFileSync(path, `${readFileSync(path, "utf8")}{"id":"c","v":`);
    const seen: string[] = [];
    const reopened = await AppendOnlyJournal.open(path, { onExisting: (r) => seen.push(r.id as string) });
    expect(reopened.report).toEqual({ existing: 2, tornBytes: '{"id":"c","v":'.length, duplicatesInFile: 0 });
    expect(seen).toEqual(["a", "b"]);
    expect(reopened.journal.has("b")).toBe(true);
    reopened.journal.append({ id: "c" });
    reopened.journal.close();
    expect(readFileSync(path, "utf8")).toBe('{"id":"a","v":1}\n{"id":"b","v":2}\n{"id":"c"}\n');
  });

  it("treats a file without any newline as one torn line, and a bad middle line as corruption", async () => {
    const torn = join(dir, "torn.jsonl");
    writeFileSync(torn, '{"id":"x"');
    expect(repairTornTail(torn)).toBe(9);
    expect(readFileSync(torn, "utf8")).toBe("");
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"id":"a"}\nnot json\n{"id":"b"}\n');
    await expect(AppendOnlyJournal.open(bad)).rejects.toMatchObject({ code: "REPLAY_JOURNAL_CORRUPT" });
  });
});

describe("acquireRunLock", () => {
  it("keeps a second writer out while the owner lives and takes over a dead owner's lock", async () => {
    const target = join(dir, "locked.jsonl");
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      writeFileSync(`${target}.lock`, `${child.pid}\n`);
      expect(() => acquireRunLock(target)).toThrow(expect.objectContaining({ code: "REPLAY_LOCKED" }));
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.on("exit", resolve));
    }
    const release = acquireRunLock(target); // the owner is dead now
    expect(readFileSync(`${target}.lock`, "utf8").trim()).toBe(String(process.pid));
    release();
    expect(existsSync(`${target}.lock`)).toBe(false);
  });
});

describe("local chat templates", () => {
  it("render ChatML and the Alpaca prompt exactly", () => {
    const messages = [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hi" },
    ];
    expect(localChatTemplate("chatml").render(messages)).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(localChatTemplate("alpaca").render([{ role: "user", content: "Add 2 and 3." }])).toBe(
      "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nAdd 2 and 3.\n\n### Response:",
    );
    expect(() => localChatTemplate("nope")).toThrow(
      expect.objectContaining({ code: "REPLAY_UNKNOWN_TEMPLATE" }),
    );
  });
});
