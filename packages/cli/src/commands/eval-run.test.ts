import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FaultServer, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cftkit-cli-eval-run-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Async spawn: the fault server answers from this process, so the event loop must keep running. */
function cftkit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
      cwd: repo,
      env: { ...process.env, CFTKIT_FROM_SOURCE: "1", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("cftkit eval run / import-lm-eval", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer({
      model: "served-model",
      faultRate: 0.2,
      faultKinds: ["http500", "slow"],
      seed: 3,
    });
  });
  afterAll(async () => server.close());

  it("run --json evaluates a server model, writes resumable results, and a rerun asks nothing", async () => {
    const out = join(tmp, "run");
    const mmlu = join(tmp, "virology_test.csv");
    writeFileSync(mmlu, "Q1?,a,b,c,d,A\nQ2?,a,b,c,d,B\nQ3?,a,b,c,d,C\n");
    const args = [
      "eval",
      "run",
      "--model",
      server.url,
      "--tasks",
      `xquad_en,xquad_de,mmlu:${mmlu}`,
      "--limit",
      "5",
      "--out",
      out,
      "--json",
    ];
    const first = await cftkit(args);
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      model: string;
      tasks: { task: string; count: number; ability: string }[];
      abilities: { ea: number; ma: number; overall: number };
    };
    expect(report.model).toBe("served-model");
    // An English task counts as English ability (EA), whatever its family.
    expect(report.tasks.map((t) => [t.task, t.count, t.ability])).toEqual([
      ["xquad_en", 5, "EA"],
      ["xquad_de", 5, "MA"],
      ["mmlu", 3, "EA"],
    ]);
    expect(report.abilities.overall).toBeCloseTo((report.abilities.ea + report.abilities.ma) / 2, 12);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).tasks).toHaveLength(3);
    expect(readFileSync(join(out, "responses.jsonl"), "utf8").trim().split("\n")).toHaveLength(10 + 12);
    const requests = server.stats.byEndpoint.chat + server.stats.byEndpoint.completions;
    const second = await cftkit(args);
    expect(second.status, second.stderr).toBe(0);
    expect(server.stats.byEndpoint.chat + server.stats.byEndpoint.completions).toBe(requests);
    expect(JSON.parse(second.stdout).resumed).toEqual(["xquad_en", "xquad_de", "mmlu"]);
  }, 60_000);

  it("import-lm-eval --json reads an lm-eval results file; bad tasks exit 2", async () => {
    const path = join(tmp, "results_2026-01-01T00-00-00.json");
    writeFileSync(
      path,
      JSON.stringify({
        results: {
          ifeval: { "prompt_level_strict_acc,none": 0.4, "inst_level_strict_acc,none": 0.5 },
          xquad_de: { "f1,none": 0.6, "exact_match,none": 0.5 },
          xquad_zh: { "f1,none": 0.2, "exact_match,none": 0.1 },
        },
      }),
    );
    const r = await cftkit(["eval", "import-lm-eval", path, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      tasks: { task: string; score: number }[];
      abilities: { ea: number; ma: number; overall: number };
    };
    expect(doc.tasks.find((t) => t.task === "ifeval")!.score).toBe(0.4);
    expect(doc.abilities.ea).toBeCloseTo(0.4, 12);
    expect(doc.abilities.ma).toBeCloseTo(0.4, 12);
    expect(doc.abilities.overall).toBeCloseTo(0.4, 12);
    const bad = await cftkit(["eval", "run", "--model", server.url, "--tasks", "nonsense", "--json"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/error\[EVAL_BAD_TASK\]/);
  }, 60_000);

  it("lm-eval runs lm_eval from PATH (a stand-in here), streams its lines to stderr and imports its results", async () => {
    const bin = join(tmp, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "lm_eval"),
      `#!${process.execPath}
const fs = require("node:fs"), path = require("node:path");
const a = process.argv.slice(2);
const out = path.join(a[a.indexOf("--output_path") + 1], "__ckpt");
process.stderr.write("Running generate_until requests: 100%\\n");
fs.mkdirSync(out, { recursive: true });
const results = { ifeval: { "prompt_level_strict_acc,none": 0.3 }, xquad_de: { "f1,none": 0.7 } };
fs.writeFileSync(path.join(out, "results_2026-01-01T00-00-00.json"), JSON.stringify({ results }));
`,
    );
    chmodSync(join(bin, "lm_eval"), 0o755);
    const r = await cftkit(
      [
        "eval",
        "lm-eval",
        "--model",
        "/ckpt",
        "--tasks",
        "ifeval,xquad_de",
        "--out",
        join(tmp, "lm"),
        "--json",
      ],
      { PATH: `${bin}:${process.env.PATH ?? ""}` },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("Running generate_until requests: 100%");
    const doc = JSON.parse(r.stdout) as { command: string[]; abilities: { ea: number; ma: number } };
    expect(doc.command.slice(0, 4)).toEqual(["lm_eval", "--model", "hf", "--model_args"]);
    expect(doc.abilities.ea).toBeCloseTo(0.3, 12);
    expect(doc.abilities.ma).toBeCloseTo(0.7, 12);
  }, 60_000);
});
