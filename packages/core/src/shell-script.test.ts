import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { printable } from "./printable.js";
import { ShellScript, shellComment, shellQuote } from "./shell-script.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-shell-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Strings a careless or hostile user can put in a path or a name. */
export const HOSTILE = [
  "plain/path.yaml",
  "with space/and 'single' quotes",
  'double "quotes" and \\ backslash',
  "new\nline; touch PWNED_NL",
  "$(touch PWNED_SUBST)",
  "`touch PWNED_TICK`",
  "semi; touch PWNED_SEMI",
  "carriage\rreturn",
  "tab\tand \u001b[31m escape",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is the point
  "it's $HOME and ${PATH}",
  "unicode ünï 中文 \u2028 separator",
  "-starts-with-dash",
  "",
];

describe("shellQuote", () => {
  it("gives bash back exactly the word, whatever it holds, and never a raw line break", () => {
    for (const word of HOSTILE) {
      const quoted = shellQuote(word);
      expect(quoted).not.toMatch(/[\n\r]/);
      const echoed = execFileSync("bash", ["-c", `printf '%s' ${quoted}`], { cwd: tmp, encoding: "utf8" });
      expect(echoed, JSON.stringify(word)).toBe(word);
    }
    expect(readdirSync(tmp).filter((f) => f.startsWith("PWNED"))).toEqual([]);
  });

  it("refuses a NUL byte with a typed error (bash cannot carry one)", () => {
    expect(() => shellQuote("a\0b")).toThrow(expect.objectContaining({ code: "SHELL_UNSAFE_ARGUMENT" }));
  });
});

describe("ShellScript", () => {
  it("runs only its own commands: hostile comments, arguments and function words execute nothing", () => {
    const log = join(tmp, "argv.log");
    const recorder = join(tmp, "record.sh");
    writeFileSync(
      recorder,
      `#!/usr/bin/env bash\nfor a in "$@"; do printf '%s\\0' "$a"; done >> ${shellQuote(log)}\nprintf '\\036' >> ${shellQuote(log)}\n`,
      { mode: 0o755 },
    );
    const script = new ShellScript().fixed("set -euo pipefail");
    script.functionDefinition("rec", [recorder, "fixed word"]);
    for (const word of HOSTILE) script.comment(`a comment about ${word}`).command(["rec", word]);
    const path = join(tmp, "script.sh");
    writeFileSync(path, script.toString());
    execFileSync("bash", ["-n", path]);
    execFileSync("bash", [path], { cwd: tmp });
    expect(readdirSync(tmp).filter((f) => f.startsWith("PWNED"))).toEqual([]);
    const calls = execFileSync("cat", [log], { encoding: "utf8" }).split("\u001e").filter(Boolean);
    expect(calls.map((c) => c.split("\0").slice(0, -1))).toEqual(HOSTILE.map((w) => ["fixed word", w]));
    // One comment line per comment: a newline in user text never starts a line.
    const lines = script.toString().split("\n");
    expect(lines.filter((l) => l.startsWith("# a comment about"))).toHaveLength(HOSTILE.length);
  });

  it("comments escape control characters visibly", () => {
    expect(shellComment("x\ny")).toBe("# x\\ny");
    expect(printable("nul\0bel\u0007\u2028")).toBe("nul\\0bel\\x07\\u2028");
    expect(existsSync(join(tmp, "PWNED_NL"))).toBe(false);
  });
});
