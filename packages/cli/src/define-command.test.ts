import { describe, expect, it, vi } from "vitest";
import { isRequired } from "./build-command.js";
import { declaredCommands } from "./commands/index.js";
import { buildProgram, runCli } from "./program.js";

async function run(argv: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    return { exit: await runCli(argv), stdout, stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

/** The --help text of one declared command, as commander renders it. */
function helpOf(path: readonly string[]): string {
  let command = buildProgram();
  for (const word of path) command = command.commands.find((c) => c.name() === word)!;
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe("options come from the declared schemas", () => {
  it.each([
    [
      ["lm", "generate", "m", "--prompt", "hi", "--max-new-tokens", "-5"],
      "--max-new-tokens must be ≥ 1, got -5",
    ],
    [["lm", "generate", "m", "--prompt", "hi", "--temperature", "-1"], "--temperature must be ≥ 0, got -1"],
    [["lm", "generate", "m", "--prompt", "hi", "--top-p", "abc"], "--top-p must be a number, got abc"],
    [["eval", "run", "--model", "m", "--tasks", "xquad_en", "--limit", "-3"], "--limit must be ≥ 1, got -3"],
    [
      ["data", "mix", "a", "b", "--out", "o.jsonl", "--ratios", "1.5,-0.5"],
      "--ratios value 2 must be ≥ 0, got -0.5",
    ],
    [
      ["data", "sample", "in.jsonl", "--out", "o.jsonl", "--count", "1e12"],
      "--count must be ≤ 4294967295, got 1e12",
    ],
    [
      ["data", "sample", "in.jsonl", "--out", "o.jsonl", "--count", "2.5"],
      "--count must be a whole number, got 2.5",
    ],
    [["freeze", "spectrum", "m", "--top-percent", "150"], "--top-percent must be ≤ 100, got 150"],
    [
      ["data", "convert", "in.jsonl", "--to", "parquet", "--out", "o.jsonl"],
      "--to must be one of cftkit, embedded",
    ],
  ])("%j → CLI_BAD_OPTION naming the flag", async (argv, message) => {
    const r = await run(argv);
    expect(r.exit).toBe(2);
    expect(r.stderr).toContain(`error[CLI_BAD_OPTION]: ${message}`);
  });

  it("a missing required option and an unknown option exit 2", async () => {
    const missing = await run(["data", "convert", "in.jsonl", "--out", "o.jsonl"]);
    expect(missing.exit).toBe(2);
    expect(missing.stderr).toMatch(/^error\[CLI_MISSING_OPTION\]: --to is required/);
    const unknown = await run(["data", "stats", "in.jsonl", "--no-such-flag"]);
    expect(unknown.exit).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");
  });

  it("one name per output layout: replay's chat_template is read as axolotl-chat, with a note", async () => {
    const r = await run([
      "replay",
      "mix",
      "--phase2",
      "p.jsonl",
      "--replay",
      "r.jsonl",
      "--out",
      "p.jsonl",
      "--format",
      "chat_template",
    ]);
    expect(r.stderr).toContain("note: chat_template is read as axolotl-chat");
    expect(r.stderr).toContain("error[CLI_OUTPUT_IS_INPUT]");
  });

  it("every command's --help shows an example, marks required options and shows defaults one way", () => {
    for (const command of declaredCommands) {
      const help = helpOf(command.path);
      const name = command.path.join(" ");
      expect(help, name).toContain("Examples:\n  $ cftkit ");
      expect(
        command.examples.some((e) => e.startsWith(`cftkit ${name} `)),
        name,
      ).toBe(true);
      for (const spec of Object.values(command.options)) {
        const flag = spec.flags.split(" ")[0]!;
        const line = help.slice(
          help.indexOf(`  ${flag}`),
          help.indexOf("\n  -", help.indexOf(`  ${flag}`) + 3),
        );
        if (isRequired(spec)) expect(line, `${name} ${flag}`).toContain("(required)");
        else expect(line, `${name} ${flag}`).not.toContain("(required)");
      }
      expect(help, name).not.toMatch(/\(default: "/);
      expect(help, name).not.toMatch(/\(default [^:]/);
    }
  });

  it("lm train shows the embedded trainer's own defaults", async () => {
    // The light entry --help reads is the same object the trainer uses.
    const { PAPER_TRAINING_DEFAULTS } = await import("@cftkit/lm");
    expect((await import("@cftkit/lm/defaults")).PAPER_TRAINING_DEFAULTS).toBe(PAPER_TRAINING_DEFAULTS);
    const help = helpOf(["lm", "train"]);
    expect(help.replace(/\s+/g, " ")).toContain(
      "--lr <number> peak learning rate (tiny models need ~3e-3) (default: 1e-6)",
    );
  });
});
