import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPrompts } from "./read-prompts.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-prompts-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("readPrompts", () => {
  it("takes MT-Bench's first turn, prompt/text fields, instruction + input, and bare strings", async () => {
    const path = file(
      "mixed.jsonl",
      [
        JSON.stringify({ question_id: 81, turns: ["Write a poem.", "Now shorter."] }),
        JSON.stringify({ prompt: "p" }),
        JSON.stringify({ text: "t" }),
        JSON.stringify({ instruction: "Translate", input: "Hallo" }),
        JSON.stringify("bare"),
      ].join("\n"),
    );
    expect(await readPrompts(path)).toEqual(["Write a poem.", "p", "t", "Translate\n\nHallo", "bare"]);
  });

  it("names the file and line of a row without a prompt", async () => {
    const path = file("bad.jsonl", `${JSON.stringify({ prompt: "ok" })}\n${JSON.stringify({ answer: 1 })}\n`);
    await expect(readPrompts(path)).rejects.toMatchObject({
      code: "DATA_BAD_PROMPTS",
      message: `${path}:2: expected "turns" (MT-Bench), "prompt", "text" or "instruction"`,
    });
  });
});
