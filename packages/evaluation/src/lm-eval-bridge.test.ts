import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCftkitError } from "@cftkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildLmEvalCommand,
  importLmEvalResults,
  lmEvalScoredTasks,
  parseLmEvalResults,
  runLmEval,
} from "./lm-eval-bridge.js";

/** A results file in lm-eval 0.4's documented layout (values as lm-eval writes them). */
const RESULTS = {
  results: {
    ifeval: {
      alias: "ifeval",
      "prompt_level_strict_acc,none": 0.4177449168207024,
      "prompt_level_strict_acc_stderr,none": 0.02122,
      "inst_level_strict_acc,none": 0.5407673860911271,
      "inst_level_strict_acc_stderr,none": "N/A",
      "prompt_level_loose_acc,none": 0.4491682070240296,
      "inst_level_loose_acc,none": 0.5743405275779376,
    },
    hellaswag: {
      alias: "hellaswag",
      "acc,none": 0.5,
      "acc_stderr,none": 0.005,
      "acc_norm,none": 0.6717,
      "acc_norm_stderr,none": 0.0047,
    },
    mmlu: { alias: "mmlu", "acc,none": 0.6234, "acc_stderr,none": 0.0038 },
    mmlu_anatomy: { alias: " - anatomy", "acc,none": 0.55 },
    xquad_de: { alias: "xquad_de", "exact_match,none": 41.2, "f1,none": 58.75 },
    mlqa_de_en: { alias: "mlqa_de_en", "exact_match,none": 0.3, "f1,none": 0.45 },
    global_mmlu_de: { alias: "global_mmlu_de", "acc,none": 0.42 },
    arc_easy: { alias: "arc_easy", "acc,none": 0.9 },
  },
  groups: { mmlu: { alias: "mmlu", "acc,none": 0.6234 } },
  configs: {},
  versions: { ifeval: 4, hellaswag: 1 },
  "n-shot": { ifeval: 0, hellaswag: 0 },
  config: { model: "hf", model_args: "pretrained=/m,dtype=bfloat16" },
  model_name: "/m",
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-lmeval-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("lm-eval results", () => {
  it("maps <metric>,<filter> keys to 0-1 task scores with the paper's metric per task", () => {
    const r = parseLmEvalResults(RESULTS);
    const by = Object.fromEntries(r.tasks.map((t) => [t.task, t]));
    expect(by.ifeval).toMatchObject({
      metric: "prompt_level_strict_acc",
      score: 0.4177449168207024,
      ability: "EA",
    });
    expect(by.ifeval!.metrics.inst_level_loose_acc).toBe(0.5743405275779376);
    expect("prompt_level_strict_acc_stderr" in by.ifeval!.metrics).toBe(false);
    expect(by.hellaswag).toMatchObject({ metric: "acc_norm", score: 0.6717 });
    expect(by.mmlu).toMatchObject({ metric: "acc", score: 0.6234, isGroup: true, family: "mmlu" });
    expect(by.xquad_de).toMatchObject({ metric: "f1", family: "xquad", language: "de", ability: "MA" });
    expect(by.xquad_de!.score).toBeCloseTo(0.5875, 12);
    expect(by.mlqa_de_en).toMatchObject({ score: 0.45, family: "mlqa", language: "de" });
    expect(by.global_mmlu_de).toMatchObject({
      score: 0.42,
      family: "global_mmlu",
      language: "de",
      ability: "MA",
    });
    expect(r.model).toBe("/m");
    // The mmlu group stands for its subtasks when aggregating.
    expect(lmEvalScoredTasks(r).map((t) => t.task)).not.toContain("mmlu_anatomy");
    expect(lmEvalScoredTasks(r).map((t) => t.task)).toContain("mmlu");
    expect(lmEvalScoredTasks(r).map((t) => t.task)).not.toContain("arc_easy");
  });

  it("rejects files without results", async () => {
    const p = join(dir, "bad.json");
    await writeFile(p, JSON.stringify({ nope: 1 }));
    const e = await importLmEvalResults(p).catch((x: unknown) => x);
    expect(isCftkitError(e) && e.code).toBe("LM_EVAL_BAD_RESULTS");
  });
});

describe("lm_eval command", () => {
  it("builds the hf and local-completions commands", () => {
    const hf = buildLmEvalCommand({
      model: { kind: "hf", dir: "/ckpt" },
      tasks: ["ifeval", "xquad_de"],
      outputPath: "/o",
    });
    expect(hf.command).toBe("lm_eval");
    expect(hf.args.join(" ")).toBe(
      "--model hf --model_args pretrained=/ckpt,dtype=bfloat16 --tasks ifeval,xquad_de --num_fewshot 0 --batch_size auto --output_path /o",
    );
    const server = buildLmEvalCommand({
      model: { kind: "local-completions", baseUrl: "http://h:8000/v1/completions", model: "org/m" },
      tasks: ["hellaswag"],
      outputPath: "/o",
      logSamples: true,
    });
    expect(server.args).toContain("local-completions");
    expect(server.args[server.args.indexOf("--model_args") + 1]).toContain(
      "base_url=http://h:8000/v1/completions",
    );
    expect(server.args).toContain("--log_samples");
    expect(() =>
      buildLmEvalCommand({
        model: { kind: "local-chat-completions", baseUrl: "u", model: "m" },
        tasks: ["mmlu"],
        outputPath: "/o",
      }),
    ).toThrow(/cannot score log-likelihoods/);
  });

  it("runs a stand-in lm_eval found on PATH, streams its lines and parses the results it writes", async () => {
    const bin = join(dir, "bin");
    await import("node:fs/promises").then((fs) => fs.mkdir(bin, { recursive: true }));
    const script = join(bin, "lm_eval");
    await writeFile(
      script,
      `#!${process.execPath}
const fs = require("node:fs"), path = require("node:path");
const args = process.argv.slice(2);
const out = args[args.indexOf("--output_path") + 1];
const tasks = args[args.indexOf("--tasks") + 1].split(",");
for (let i = 1; i <= 3; i++) process.stderr.write("Running loglikelihood requests: " + i + "/3\\n");
const results = {};
for (const t of tasks) results[t] = { alias: t, "acc,none": 0.25, "acc_norm,none": 0.75 };
const dir = path.join(out, "__m");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "results_2026-11-27T00-00-00.000000.json"), JSON.stringify({ results, argv: args }));
console.log("|Tasks|Version|");
`,
    );
    await chmod(script, 0o755);
    const lines: string[] = [];
    const r = await runLmEval({
      model: { kind: "hf", dir: "/m" },
      tasks: ["hellaswag", "mmlu"],
      outputPath: join(dir, "out"),
      env: { ...process.env, PATH: bin },
      onLine: (line) => lines.push(line),
    });
    expect(lines.filter((l) => l.startsWith("Running loglikelihood"))).toHaveLength(3);
    expect(lines).toContain("|Tasks|Version|");
    const by = Object.fromEntries(r.tasks.map((t) => [t.task, t.score]));
    expect(by).toEqual({ hellaswag: 0.75, mmlu: 0.25 });
    expect(r.path).toMatch(/results_2026-11-27T00-00-00\.000000\.json$/);
  });

  it("says how to install lm_eval when it is missing", async () => {
    const e = await runLmEval({
      model: { kind: "hf", dir: "/m" },
      tasks: ["ifeval"],
      outputPath: join(dir, "none"),
      env: { ...process.env, PATH: join(dir, "empty") },
    }).catch((x: unknown) => x);
    expect(isCftkitError(e) && e.code).toBe("LM_EVAL_NOT_FOUND");
    expect((e as Error).message).toMatch(/pip install/);
  });
});
