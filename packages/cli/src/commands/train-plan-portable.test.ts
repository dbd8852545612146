import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-plan-portable-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder name that runs commands if it reaches a shell line unquoted. */
const HOSTILE = "exp\ntouch PWNED_NL; $(touch PWNED_SUBST) `touch PWNED_TICK` 'q\"";

const EXPERIMENT = `name: portable
backend: embedded
base_model: org/base-model
strategies: [baseline, LF_H1, LoRA]
settings:
  - name: s
    phase1: { datasets: [{ path: data/p1.jsonl, type: chat_template }] }
    phase2: { datasets: [{ path: data/not-made-yet.jsonl, type: chat_template }] }
    selections: { LF_H1: "sel\\n$(touch PWNED_SEL).yaml" }
`;

describe("cftkit train plan and run --dry-run with hostile paths", () => {
  const dir = join(tmp, HOSTILE);
  mkdirSync(join(dir, "data"), { recursive: true });
  writeFileSync(join(dir, "data", "p1.jsonl"), "{}\n");
  writeFileSync(join(dir, "exp.yaml"), EXPERIMENT);

  it("train plan writes a commands.sh bash accepts, calling cftkit as it was launched, and reports missing data", async () => {
    const out = join(dir, "plans");
    const r = await runCftkit(["train", "plan", join(dir, "exp.yaml"), "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { missing_inputs: { path: string }[]; notes: string[] };
    expect(doc.missing_inputs.map((m) => m.path)).toEqual([
      join(dir, "data", "not-made-yet.jsonl"),
      join(dir, "data", "not-made-yet.jsonl"),
      join(dir, "data", "not-made-yet.jsonl"),
    ]);
    expect(doc.notes).toEqual([
      expect.stringContaining("s.LoRA: LoRA uses the full fine-tuning learning rate"),
    ]);
    const script = readFileSync(join(out, "commands.sh"), "utf8");
    execFileSync("bash", ["-n", join(out, "commands.sh")]);
    // The test runs `node packages/cli/bin/cftkit.js`: commands.sh calls it the same way.
    expect(script).toContain(`cftkit() { node ${join(repoRoot, "packages/cli/bin/cftkit.js")} "$@"; }`);
    expect(script).toContain("cftkit train run s.phase1.plan.yaml --backend embedded");
    // No line of the script but cftkit's own starts outside a comment with user text.
    for (const line of script.split("\n")) {
      if (line.includes("PWNED")) expect(line.startsWith("# "), line).toBe(true);
    }
    // Plans name their inputs relative to the plan folder.
    const plan = readFileSync(join(out, "s.baseline.plan.yaml"), "utf8");
    expect(plan).toContain("path: ../data/not-made-yet.jsonl");
    expect(plan).not.toContain(tmp);
  });

  it("run --dry-run prints a hostile selection path only inside comments, and names the missing data", async () => {
    // (A hostile folder name also reaches the printed YAML values, quoted as YAML: PyYAML reads them back
    // exactly, see @cftkit/trainer's python-yaml test; here only the comments are checked.)
    const plain = join(tmp, "plain");
    mkdirSync(join(plain, "data"), { recursive: true });
    writeFileSync(join(plain, "data", "p1.jsonl"), "{}\n");
    writeFileSync(join(plain, "exp.yaml"), EXPERIMENT);
    const r = await runCftkit(["run", join(plain, "exp.yaml"), "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    // Outside comments the hostile path appears only inside a YAML value (an indented block-scalar line),
    // and that plan's YAML reads back to exactly the path the experiment named.
    for (const line of r.stdout.split("\n")) {
      if (line.includes("PWNED")) expect(line, line).toMatch(/^(# |unfrozen_parameters: # | {4}\S)/);
    }
    const lfH1 = r.stdout.split(/^# ── /m).find((block) => block.startsWith("s.LF_H1 "));
    const plan = parseYaml(`# ${lfH1!}`) as { freeze: { source: string } };
    expect(plan.freeze.source).toBe(join(plain, "sel\n$(touch PWNED_SEL).yaml"));
    expect(r.stdout).toContain("# missing input of s.baseline (phase2):");
  });
});

describe("every printed command line is one bash reads back exactly", () => {
  it("eval lm-eval --dry-run quotes a hostile model folder and output path", async () => {
    const model = join(tmp, "model 'it''s' $(touch PWNED_EVAL)");
    const out = join(tmp, "out\n`touch PWNED_EVAL2`");
    const r = await runCftkit([
      "eval",
      "lm-eval",
      "--model",
      model,
      "--tasks",
      "ifeval",
      "--out",
      out,
      "--dry-run",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.trim();
    expect(line.split("\n")).toHaveLength(1);
    // bash splits the printed line into exactly the argv lm-eval would get.
    const words = execFileSync("bash", ["-c", `for w in ${line}; do printf '%s\\0' "$w"; done`], {
      cwd: tmp,
      encoding: "utf8",
    })
      .split("\0")
      .slice(0, -1);
    expect(words).toContain(out);
    expect(words.some((w) => w.includes(model))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.startsWith("PWNED"))).toEqual([]);
  });
});
