import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeLmEvalRun, evaluateWithLmEval, importLmEvalScores } from "./lm-eval-run.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-lmeval-run-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("evaluateWithLmEval", () => {
  it("a dry run returns the command it would run, and runs nothing", async () => {
    const started: string[] = [];
    const report = await evaluateWithLmEval({
      model: "/models/tiny",
      tasks: ["ifeval"],
      out: join(dir, "dry"),
      dryRun: true,
      onStart: (line) => started.push(line),
      env: { PATH: join(dir, "empty") },
    });
    expect(report).toEqual({
      command: [
        "lm_eval",
        "--model",
        "hf",
        "--model_args",
        "pretrained=/models/tiny,dtype=bfloat16",
        "--tasks",
        "ifeval",
        "--num_fewshot",
        "0",
        "--batch_size",
        "auto",
        "--output_path",
        join(dir, "dry"),
      ],
    });
    expect(started).toEqual([]);
    expect(describeLmEvalRun(report)).toEqual([
      `lm_eval --model hf --model_args pretrained=/models/tiny,dtype=bfloat16 --tasks ifeval --num_fewshot 0 --batch_size auto --output_path ${join(dir, "dry")}`,
    ]);
  });

  it("runs lm_eval from PATH (a stand-in), streams its lines and scores its results with EA/MA", async () => {
    const bin = join(dir, "bin");
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, "lm_eval"),
      `#!${process.execPath}
const fs = require("node:fs"), path = require("node:path");
const a = process.argv.slice(2);
const out = path.join(a[a.indexOf("--output_path") + 1], "__m");
process.stderr.write("Running generate_until requests: 100%\\n");
fs.mkdirSync(out, { recursive: true });
const results = { ifeval: { "prompt_level_strict_acc,none": 0.3 }, xquad_de: { "f1,none": 0.7 }, arc_easy: { "acc,none": 0.9 } };
fs.writeFileSync(path.join(out, "results_2026-01-01T00-00-00.json"), JSON.stringify({ results }));
`,
    );
    await chmod(join(bin, "lm_eval"), 0o755);
    const started: string[] = [];
    const lines: string[] = [];
    const report = await evaluateWithLmEval({
      model: "/m",
      tasks: ["ifeval", "xquad_de", "arc_easy"],
      out: join(dir, "out"),
      onStart: (line) => started.push(line),
      onLine: (line) => lines.push(line),
      env: { ...process.env, PATH: bin },
    });
    expect(started[0]).toMatch(/^lm_eval --model hf /);
    expect(lines).toContain("Running generate_until requests: 100%");
    if (!("abilities" in report)) throw new Error("expected scores");
    expect(report.command[0]).toBe("lm_eval");
    // arc_easy is listed but is not one of the paper's families, so EA is ifeval alone.
    expect(report.abilities.ea).toBeCloseTo(0.3, 12);
    expect(report.abilities.ma).toBeCloseTo(0.7, 12);
    expect(report.abilities.overall).toBeCloseTo(0.5, 12);
    expect(describeLmEvalRun(report).at(-1)).toBe("EA 30.00  MA 70.00  Overall 50.00");
    // The same file imported later gives the same scores.
    const imported = await importLmEvalScores(report.path!);
    expect(imported.abilities).toEqual(report.abilities);
  });
});
