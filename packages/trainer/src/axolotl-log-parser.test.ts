import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AxolotlLogParser, metricToJson, parseAxolotlLog } from "./axolotl-log-parser.js";
import { parsePythonLiteral } from "./python-literal.js";
import { fixtureCombinedLog, fixtureStderr, fixtureStdout } from "./testing/axolotl-output.js";
import { repoPath } from "./testing/repo-paths.js";
import { collectArtifacts } from "./training-artifacts.js";

/** tools/reference/axolotl_metrics.py: Python itself evaluates each metric dict. */
function pythonReference(text: string): Record<string, unknown>[] {
  const r = spawnSync("python3", [repoPath("tools/reference/axolotl_metrics.py")], {
    input: text,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

function withoutTypeAndStep(m: Record<string, unknown>): Record<string, unknown> {
  const { type: _t, step: _s, ...rest } = m;
  return rest;
}

describe("parsePythonLiteral", () => {
  it("reads Python reprs: numbers, string floats, nan/inf, nested, wrappers, escapes", () => {
    expect(
      parsePythonLiteral("{'loss': 1.0226, 'grad_norm': 0.5, 'learning_rate': 1.4e-05, 'epoch': 0.89}"),
    ).toEqual({
      loss: 1.0226,
      grad_norm: 0.5,
      learning_rate: 1.4e-5,
      epoch: 0.89,
    });
    const v = parsePythonLiteral(
      "{'a': nan, 'b': inf, 'c': -inf, 'd': [1, (2, 3)], 'e': None, 'f': True, \"g\": 'it\\'s'}",
    ) as Record<string, unknown>;
    expect(Number.isNaN(v.a)).toBe(true);
    expect(v.b).toBe(Number.POSITIVE_INFINITY);
    expect(v.c).toBe(Number.NEGATIVE_INFINITY);
    expect(v.d).toEqual([1, [2, 3]]);
    expect(v.e).toBeNull();
    expect(v.f).toBe(true);
    expect(v.g).toBe("it's");
    expect(parsePythonLiteral("{'loss': np.float64(0.25), 'x': tensor(1.5, device='cuda:0')}")).toEqual({
      loss: 0.25,
      x: 1.5,
    });
    expect(parsePythonLiteral("{'k': '\\u00e9\\x41'}")).toEqual({ k: "éA" });
    expect(() => parsePythonLiteral("{'loss': __import__('os')}")).toThrow();
    expect(() => parsePythonLiteral("{'loss': 1.0")).toThrow();
  });
});

describe("the Axolotl log parser", () => {
  it("extracts the same metric dicts as Python itself from a combined log", () => {
    const log = fixtureCombinedLog();
    const { metrics } = parseAxolotlLog(log);
    const reference = pythonReference(log);
    expect(reference.length).toBeGreaterThan(10);
    expect(metrics.map((m) => withoutTypeAndStep(metricToJson(m)))).toEqual(reference);
  });

  it("classifies train / eval / summary lines and keeps string floats, nan and inf as numbers", () => {
    const { metrics } = parseAxolotlLog(fixtureStdout());
    const types = metrics.map((m) => m.type);
    expect(types.filter((t) => t === "eval")).toHaveLength(1);
    expect(types.at(-1)).toBe("summary");
    const stringStyle = metrics.find((m) => m.values["tokens/total"] !== undefined)!;
    expect(typeof stringStyle.values.loss).toBe("number");
    expect(stringStyle.values["memory/device_reserved (GiB)"]).toBe(16.02);
    expect(typeof stringStyle.epoch).toBe("number");
    const nanLine = metrics.find((m) => Number.isNaN(m.values.loss as number))!;
    expect(Number.isNaN(nanLine.values.grad_norm as number)).toBe(true);
    expect(metricToJson(nanLine).loss).toBe("NaN");
    const infLine = metrics.find((m) => m.values.grad_norm === Number.POSITIVE_INFINITY)!;
    expect(infLine.values.learning_rate).toBe(Number.NEGATIVE_INFINITY);
    const evalLine = metrics.find((m) => m.type === "eval")!;
    expect(evalLine.values.eval_loss).toBe(1.1042);
    expect(metrics.at(-1)!.values.train_loss).toBe(1.2345);
  });

  it("follows the training tqdm bar across \\r redraws, ignoring Map and eval bars", () => {
    const progress: { done: number; total: number }[] = [];
    const parser = new AxolotlLogParser({
      onProgress: (p) => progress.push({ done: p.done, total: p.total }),
    });
    // Feed in awkward chunks (splits inside lines and inside \r sequences).
    const text = fixtureStderr();
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    parser.end();
    expect(progress.length).toBe(9); // 0/8 … 8/8
    expect(progress.every((p) => p.total === 8)).toBe(true);
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parser.progress).toMatchObject({ done: 8, total: 8, rate: "3.00s/it" });
    // The warning lines are kept for error messages; the bars are not.
    expect(parser.tail.some((l) => l.includes("UserWarning"))).toBe(true);
    expect(parser.tail.some((l) => l.includes("it]"))).toBe(false);
  });

  it("finds a metric dict printed on the same line as a tqdm redraw and tags it with the bar's step", () => {
    const parser = new AxolotlLogParser();
    parser.push("  0%|          | 0/8 [00:00<?, ?it/s]\r  38%|███       | 3/8 [00:09<00:15,  3.00s/it]");
    parser.push("{'loss': 0.5, 'learning_rate': 1e-05, 'epoch': 0.38}\n");
    parser.end();
    expect(parser.metrics).toEqual([
      { type: "train", step: 3, epoch: 0.38, values: { loss: 0.5, learning_rate: 1e-5 } },
    ]);
  });

  it("notes failure signatures", () => {
    expect(
      parseAxolotlLog("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2 GiB").signals,
    ).toEqual(["cuda_oom"]);
    expect(
      parseAxolotlLog("[WARNING] All parameters are frozen. Model will not be trained.\n").signals,
    ).toEqual(["no_trainable_parameters"]);
    expect(parseAxolotlLog(fixtureCombinedLog()).signals).toEqual([]);
  });
});

describe("a real recorded Trainer log (transformers 5.17 on an H200; test-fixtures/trainer)", () => {
  const log = readFileSync(repoPath("test-fixtures/trainer/hf-trainer-5.17-h200.log"), "utf8");
  const state = JSON.parse(
    readFileSync(
      repoPath("test-fixtures/trainer/hf-trainer-5.17-h200.checkpoint-3.trainer_state.json"),
      "utf8",
    ),
  ) as { log_history: Record<string, number>[] };

  it("yields every metric line with the step the Trainer itself recorded in trainer_state.json", () => {
    const parsed = parseAxolotlLog(log);
    expect(parsed.metrics.map((m) => withoutTypeAndStep(metricToJson(m)))).toEqual(pythonReference(log));
    const train = parsed.metrics.filter((m) => m.type === "train");
    const evals = parsed.metrics.filter((m) => m.type === "eval");
    expect(train.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(evals.map((m) => m.step)).toEqual([3, 6]);
    expect(parsed.metrics.filter((m) => m.type === "summary")).toHaveLength(1);
    expect(parsed.progress).toMatchObject({ done: 6, total: 6 });
    // Values printed as 4-significant-digit strings agree with the Trainer's own log_history.
    for (const entry of state.log_history) {
      const m = parsed.metrics.find(
        (x) => x.step === entry.step && (entry.eval_loss === undefined) === (x.type === "train"),
      )!;
      for (const key of ["loss", "grad_norm", "learning_rate", "eval_loss"]) {
        if (entry[key] === undefined) continue;
        expect(m.values[key] as number).toBeCloseTo(
          entry[key]!,
          Math.max(0, 3 - Math.floor(Math.log10(Math.abs(entry[key]!) || 1))),
        );
      }
      expect(m.epoch).toBeCloseTo(entry.epoch!, 3);
    }
  });

  it("collectArtifacts reads that trainer_state.json's log_history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cftkit-artifacts-"));
    try {
      await mkdir(join(dir, "checkpoint-3"), { recursive: true });
      await mkdir(join(dir, "checkpoint-10"), { recursive: true });
      await copyFile(
        repoPath("test-fixtures/trainer/hf-trainer-5.17-h200.checkpoint-3.trainer_state.json"),
        join(dir, "checkpoint-10", "trainer_state.json"),
      );
      await writeFile(join(dir, "model.safetensors"), "x");
      const a = await collectArtifacts(dir);
      expect(a.checkpoints.map((c) => c.step)).toEqual([3, 10]); // numeric, not lexicographic
      expect(a.lastCheckpoint).toBe(join(dir, "checkpoint-10"));
      expect(a.logHistory).toEqual(state.log_history);
      expect(a.complete).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
