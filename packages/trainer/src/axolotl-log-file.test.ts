import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAxolotlLogFile } from "./axolotl-log-file.js";
import { fixtureStdout } from "./testing/axolotl-output.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-logfile-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("readAxolotlLogFile", () => {
  it("parses a real Trainer log", async () => {
    const path = join(dir, "train.log");
    await writeFile(path, fixtureStdout());
    expect((await readAxolotlLogFile(path)).metrics.length).toBeGreaterThan(0);
  });

  it.each([
    ["a README", "# Title\n\nSome prose about training, loss and epochs.\n"],
    ["binary bytes", "\u0000\u0001\u0002PK\u0003\u0004 not a log"],
    ["an empty file", ""],
  ])("refuses %s with TRAIN_LOG_NOT_RECOGNISED (exit 2)", async (_label, text) => {
    const path = join(dir, "not-a-log.txt");
    await writeFile(path, text);
    await expect(readAxolotlLogFile(path)).rejects.toMatchObject({
      code: "TRAIN_LOG_NOT_RECOGNISED",
      exitCode: 2,
    });
  });
});
