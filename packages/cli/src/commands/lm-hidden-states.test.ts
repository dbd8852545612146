import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readActivationFile } from "@cftkit/similarity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const STAND_IN = join(ROOT, "tools/testing/transformers-stand-in");

function cftkit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
    cwd: ROOT,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1", ...env },
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

async function expectSameActivations(a: string, b: string, tolerance: number): Promise<void> {
  const [x, y] = [await readActivationFile(a), await readActivationFile(b)];
  expect(x.layers.map((l) => [l.rows, l.dim])).toEqual(y.layers.map((l) => [l.rows, l.dim]));
  for (const [i, layer] of x.layers.entries())
    if (tolerance === 0)
      expect(Buffer.from(layer.data.buffer).equals(Buffer.from(y.layers[i]!.data.buffer))).toBe(true);
    else expect(maxRelativeError(layer.data, y.layers[i]!.data)).toBeLessThan(tolerance);
}

describe("cftkit lm hidden-states: in-memory, streamed and transformers engines write the same file", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-hidden-"));
  const model = join(dir, "tiny");
  const prompts = join(dir, "prompts.jsonl");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
    const init = cftkit(["lm", "init", "--preset", "tiny", "--out", model, "--seed", "5"]);
    expect(init.code, init.stderr).toBe(0);
    const rows = ["Hello there", "A longer prompt about the weather in Lisbon", "x", "Numbers: 1 2 3 4 5"];
    writeFileSync(prompts, `${rows.map((prompt) => JSON.stringify({ prompt })).join("\n")}\n`);
  });

  it("--stream equals the in-memory engine (same file, no work folder left)", async () => {
    const memory = cftkit([
      "lm",
      "hidden-states",
      model,
      "--prompts",
      prompts,
      "--out",
      join(dir, "m.st"),
      "--json",
    ]);
    expect(memory.code, memory.stderr).toBe(0);
    expect(JSON.parse(memory.stdout)).toMatchObject({
      layers: 3,
      samples: 4,
      hidden_size: 64,
      engine: "in-memory",
    });
    const streamed = cftkit([
      "lm",
      "hidden-states",
      model,
      "--stream",
      "--prompts",
      prompts,
      "--out",
      join(dir, "s.st"),
      "--json",
    ]);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(JSON.parse(streamed.stdout)).toMatchObject({ layers: 3, samples: 4, engine: "streamed" });
    expect(existsSync(join(dir, "s.st.work"))).toBe(false);
    await expectSameActivations(join(dir, "s.st"), join(dir, "m.st"), 1e-5);
  }, 300_000);

  it("a model over --memory-budget is streamed, and the CLI says so", async () => {
    const auto = cftkit([
      "lm",
      "hidden-states",
      model,
      "--prompts",
      prompts,
      "--out",
      join(dir, "a.st"),
      "--memory-budget",
      "0.0001",
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toContain("streaming the model one layer at a time");
    expect(auto.stdout).toContain("(streamed)");
    const file = await readActivationFile(join(dir, "a.st"));
    expect(file.metadata).toMatchObject({
      format: "cftkit-activations",
      samples: "4",
      engine: "streamed",
      pooling: "mean",
    });
  }, 300_000);

  it("--engine transformers: the bundled script (real torch, stand-in transformers) writes the same file", async () => {
    const torch = spawnSync("/usr/bin/python3", ["-c", "import torch"]);
    expect(torch.status, "this test needs Debian's python3-torch (.ci/run installs it)").toBe(0);
    const out = join(dir, "t.st");
    const run = cftkit(
      [
        "lm",
        "hidden-states",
        model,
        "--engine",
        "transformers",
        "--python",
        "/usr/bin/python3",
        "--prompts",
        prompts,
        "--out",
        out,
        "--batch-size",
        "3",
        "--json",
      ],
      { PYTHONPATH: STAND_IN },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      layers: 3,
      samples: 4,
      engine: "transformers",
      device: "cpu",
      dtype: "float32",
    });
    await expectSameActivations(out, join(dir, "s.st"), 1e-4);
    expect((await readActivationFile(out)).metadata).toMatchObject({
      engine: "transformers",
      pooling: "mean",
    });
  }, 300_000);

  it("bad engine options and a missing interpreter or transformers are typed errors (exit 2)", () => {
    const base = ["lm", "hidden-states", model, "--prompts", prompts, "--out", join(dir, "x.st")];
    const cases: [string[], string][] = [
      [["--engine", "vllm"], "error[CLI_BAD_OPTION]"],
      [["--engine", "transformers", "--stream"], "error[CLI_BAD_OPTION]"],
      [["--engine", "transformers", "--python", join(dir, "no-such-python")], "error[LM_PYTHON_NOT_FOUND]"],
      [["--engine", "transformers", "--python", "/usr/bin/python3"], "error[LM_TRANSFORMERS_MISSING]"],
    ];
    for (const [extra, message] of cases) {
      const r = cftkit([...base, ...extra]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(existsSync(join(dir, "x.st"))).toBe(false);
  }, 300_000);
});

describe("a streamed run killed between layers resumes to the identical file", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-cli-resume-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("SIGKILL after a finished layer, rerun: resumes after it and writes the same bytes as an uninterrupted run", async () => {
    const model = join(dir, "model");
    const made = spawnSync(
      process.execPath,
      ["--conditions=source", "--import", "tsx", "tools/testing/make-streaming-model.ts", model],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(made.status, made.stderr).toBe(0);
    const args = (out: string) => [
      "lm",
      "hidden-states",
      model,
      "--stream",
      "--limit",
      "40",
      "--out",
      out,
      "--batch-tokens",
      "1024",
    ];
    const killed = join(dir, "killed.st");
    await new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, ["packages/cli/bin/cftkit.js", ...args(killed)], {
        cwd: ROOT,
        env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/layer 2\/12: /.test(stderr)) child.kill("SIGKILL");
      });
      child.on("close", (_code, signal) =>
        signal === "SIGKILL" ? done() : fail(new Error(`finished before the kill: ${stderr}`)),
      );
    });
    expect(existsSync(killed)).toBe(false);
    const finished = readdirSync(`${killed}.work`).filter((f) => f.startsWith("means."));
    expect(finished.length).toBeGreaterThanOrEqual(3);
    const resumed = cftkit(args(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after layer \d+ of 12/);
    const fresh = cftkit(args(join(dir, "fresh.st")));
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain("resuming");
    await expectSameActivations(killed, join(dir, "fresh.st"), 0);
  }, 600_000);
});
