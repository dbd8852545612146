import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseExperiment } from "./experiment-schema.js";
import { writePlanGrid } from "./plan-grid.js";
import { compileExperiment } from "./strategy-compiler.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-grid-shell-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder name and a selection path that would run commands if they reached a shell line unquoted. */
const HOSTILE_DIR = "exp\ntouch PWNED_NL $(touch PWNED_SUBST) `touch PWNED_TICK` 'q\" ; touch PWNED_SEMI";
const HOSTILE_SELECTION = "sel\n$(touch PWNED_SEL)\r`touch PWNED_SEL2`.yaml";

function pwned(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name.startsWith("PWNED")) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/** A recorder that appends its argv (NUL-separated, one record per call) to `log`. */
function recorder(path: string, log: string, name: string): void {
  writeFileSync(path, `#!/usr/bin/env bash\n{ printf '%s\\0' ${name} "$@"; printf '\\036'; } >> "${log}"\n`);
  chmodSync(path, 0o755);
}

describe("commands.sh with hostile paths", () => {
  it("passes bash -n and, run for real, executes only the listed commands with the exact paths", async () => {
    const root = join(tmp, HOSTILE_DIR);
    mkdirSync(root, { recursive: true });
    const experiment = parseExperiment({
      name: "hostile",
      backend: "axolotl",
      base_model: "org/base-model",
      strategies: ["baseline", "LF_H1", "LoRA"],
      settings: [
        {
          name: "s",
          phase1: { datasets: [{ path: "p1 'x'\n$(touch PWNED_DATA).jsonl", type: "chat_template" }] },
          phase2: { datasets: [{ path: "p2.jsonl", type: "chat_template" }] },
          selections: { LF_H1: HOSTILE_SELECTION },
        },
      ],
    });
    const compiled = await compileExperiment(experiment, { baseDir: root });
    const outDir = join(root, "plans");
    const bin = join(tmp, "bin");
    mkdirSync(bin, { recursive: true });
    const log = join(tmp, "calls.log");
    recorder(join(bin, "axolotl"), log, "axolotl");
    recorder(join(bin, "cftkit-recorder"), log, "cftkit");
    const grid = await writePlanGrid(compiled, outDir, { cftkit: [join(bin, "cftkit-recorder")] });

    const script = readFileSync(grid.commandsPath, "utf8");
    // The pending plan's comment names the hostile selection on ONE line, escaped.
    expect(script).toMatch(/^# waits for the freeze selection .*sel\\n\$\(touch PWNED_SEL\)\\r/m);
    execFileSync("bash", ["-n", grid.commandsPath]);
    execFileSync("bash", [grid.commandsPath], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
    });

    expect(pwned(tmp)).toEqual([]);
    const calls = readFileSync(log, "utf8")
      .split("\u001e")
      .filter(Boolean)
      .map((c) => c.split("\0").slice(0, -1));
    expect(calls).toEqual([
      ["axolotl", "train", "s.phase1.axolotl.yml", "--launcher", "python"],
      ["axolotl", "train", "s.baseline.axolotl.yml", "--launcher", "python"],
      ["cftkit", "train", "run", "s.LF_H1.plan.yaml", "--backend", "axolotl"],
      ["axolotl", "train", "s.LoRA.axolotl.yml", "--launcher", "python"],
      ["axolotl", "merge-lora", "s.LoRA.axolotl.yml"],
    ]);
  });
});
