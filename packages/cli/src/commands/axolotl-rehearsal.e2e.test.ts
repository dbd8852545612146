import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

// examples/axolotl-rehearsal.yaml end to end with the axolotl stand-in on PATH (the real launcher, config
// writing, log parsing and resume run; the stand-in trains with `cftkit train rehearse`), generation through
// `cftkit lm serve` launched by the runner; interrupted during a Phase-2 training step and started again.
const tmp = mkdtempSync(join(tmpdir(), "cftkit-rehearsal-"));
const examples = join(tmp, "examples");
const experiment = join(examples, "axolotl-rehearsal.yaml");
const runDir = join(tmp, "runs", "axolotl-rehearsal");
const env = {
  ...process.env,
  CFTKIT_FROM_SOURCE: "1",
  PATH: [
    join(repoRoot, "tools/axolotl-standin"),
    // lm-evaluation-harness is not installed in CI: its stand-in writes lm-eval results for each model.
    join(repoRoot, "tools/lm-eval-standin"),
    join(repoRoot, "node_modules/.bin"),
    dirname(process.execPath),
    process.env.PATH ?? "",
  ].join(delimiter),
};
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function startRun(): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
  // Its own process group, so an interrupt reaches the runner and what it started, as Ctrl-C in a terminal does.
  const child = spawn(process.execPath, [join(repoRoot, "packages/cli/bin/cftkit.js"), "run", experiment], {
    cwd: tmp,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  child.stdout!.resume();
  const done = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, done, stderr: () => err };
}

const phase2Checkpoints = () => {
  const dir = join(runDir, "alpaca-multi", "phase2-baseline");
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith("checkpoint-")) : [];
};

describe("examples/axolotl-rehearsal.yaml", () => {
  it("runs end to end with the axolotl stand-in; interrupted in Phase 2, it reuses finished steps and resumes training", async () => {
    cpSync(join(repoRoot, "examples/axolotl-rehearsal.yaml"), experiment);
    // The onnxruntime trainer does the example's 4 Phase-2 steps in under a second: with 16 the test's SIGINT
    // lands inside the baseline training for real instead of racing its end.
    const example = readFileSync(experiment, "utf8");
    expect(example).toContain("  max_steps: 4\n");
    writeFileSync(experiment, example.replace("  max_steps: 4\n", "  max_steps: 16\n"));
    cpSync(join(repoRoot, "examples/rehearsal/data"), join(examples, "rehearsal/data"), { recursive: true });
    const t0 = Date.now();
    const models = join(examples, "rehearsal/models");
    const init = await runCftkit([
      "lm",
      "init",
      "--preset",
      "tiny",
      "--seed",
      "0",
      "--out",
      join(models, "base"),
    ]);
    expect(init.code, init.stderr).toBe(0);
    const instruct = await runCftkit(
      [
        "lm",
        "train",
        join(models, "base"),
        "--data",
        join(examples, "rehearsal/data/phase1-alpaca.chat.jsonl"),
        "--out",
        join(models, "instruct"),
        "--lr",
        "3e-3",
        "--max-steps",
        "4",
        "--batch",
        "8",
      ],
      { timeoutMs: 900_000 },
    );
    expect(instruct.code, instruct.stderr).toBe(0);

    // First run: interrupt once the first Phase-2 run has written a checkpoint.
    const first = startRun();
    while (phase2Checkpoints().length === 0) {
      if (first.child.exitCode !== null)
        throw new Error(`the run ended early:\n${first.stderr().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-first.child.pid!, "SIGINT");
    await first.done;
    expect(existsSync(join(runDir, "report", "results.json"))).toBe(false);

    // Second run: finishes; Phase 1 is reused, the interrupted training resumed from its checkpoint.
    const second = startRun();
    const code = await second.done;
    expect(code, second.stderr().slice(-4000)).toBe(0);
    const log = readFileSync(join(runDir, "run.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.some((e) => String(e.step).startsWith("phase1-alpaca-multi") && e.status === "reused")).toBe(
      true,
    );
    const trainerLog = readFileSync(join(runDir, "alpaca-multi", "phase2-baseline", "axolotl.log"), "utf8");
    expect(trainerLog).toMatch(/resumed from checkpoint-\d+/);

    // Every strategy's model, the merged LoRA model, selections from the Phase-1 folder, GR from the server.
    for (const strategy of ["baseline", "LF_H1", "LF_H2", "Spectrum", "GR_5", "GR_10", "ER_10"])
      expect(
        existsSync(join(runDir, "alpaca-multi", `phase2-${strategy}`, "model.safetensors")),
        strategy,
      ).toBe(true);
    expect(existsSync(join(runDir, "alpaca-multi", "phase2-LoRA", "merged", "model.safetensors"))).toBe(true);
    expect(existsSync(join(runDir, "alpaca-multi", "mixture", "model.safetensors"))).toBe(true);
    process.stderr.write(
      `axolotl rehearsal: ${((Date.now() - t0) / 60000).toFixed(1)} min in all (two runs)\n`,
    );
    const results = JSON.parse(readFileSync(join(runDir, "report", "results.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(results)).toContain('"overall"');
    // GR buffers came from the server the runner launched for each Phase-1 model (and it is gone now).
    const steps = readdirSync(join(runDir, "steps"));
    const gr = steps.find((d) => d.startsWith("replay-alpaca-multi-GR_5-"))!;
    const buffer = ["replay.jsonl", "replay.rejects.jsonl"]
      .map((f) => readFileSync(join(runDir, "steps", gr, "buffer", f), "utf8"))
      .join("");
    expect(buffer).toContain('"generator":"openai-chat"');
    // Every model was evaluated through the server launched for it, and lm-eval's tasks joined its scores.
    const served = steps.filter((d) => d.startsWith("evaluate-"));
    expect(served.length).toBe(16);
    for (const d of served) expect(existsSync(join(runDir, "steps", d, "server.log")), d).toBe(true);
    expect(steps.filter((d) => d.startsWith("lm-eval-")).length).toBe(16);
    const baseline = (
      results.strategies as { strategy: string; phase2: { tasks: Record<string, number> } }[]
    )[0]!;
    expect(Object.keys(baseline.phase2.tasks)).toEqual(
      expect.arrayContaining(["lm_eval/ifeval", "lm_eval/xquad_de", "xquad_f1/de"]),
    );
  }, 1_800_000);
});
