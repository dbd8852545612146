import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GenerationSchema } from "../generation-schema.js";
import { LmEvalSchema } from "../lm-eval-schema.js";
import { STEP_TEST_TIMEOUT, type TinyRun, tinyRun } from "../testing/tiny-run.js";
import { walkSteps } from "../walker.js";
import { evaluateStep } from "./evaluate.js";

// CI has no lm-evaluation-harness: tools/lm-eval-standin/lm_eval stands in for it on PATH (it checks the
// model it is pointed at and writes a results file in lm-eval 0.4's format; its scores are not benchmark
// scores). Everything around it is the real code path: the runner's units, the bridge's command line,
// spawning without a shell, log streaming, import, and the merge into the model's scores.
const root = fileURLToPath(new URL("../../../../", import.meta.url));
process.env.PATH = [join(root, "tools/lm-eval-standin"), process.env.PATH ?? ""].join(delimiter);
process.env.CFTKIT_FROM_SOURCE = "1";

const unitDir = (run: TinyRun, label: string) =>
  join(run.dir, "steps", readdirSync(join(run.dir, "steps")).find((d) => d.startsWith(`${label}-`))!);
const record = (run: TinyRun, label: string) =>
  JSON.parse(readFileSync(join(unitDir(run, label), "step.json"), "utf8")) as {
    result: { lm_eval: { command: string[]; results_file: string } };
  };

/** EA/MA as the paper defines them, by hand: mean over an ability's families of the family's mean. */
function byHand(tasks: Record<string, number>, abilities: Record<string, string>, ability: string): number {
  const families = new Map<string, number[]>();
  for (const [name, score] of Object.entries(tasks)) {
    if (abilities[name] !== ability) continue;
    const family = name.startsWith("lm_eval/")
      ? name.slice(8).replace(/_(en|de)$/, "")
      : name.slice(0, name.lastIndexOf("/"));
    families.set(family, [...(families.get(family) ?? []), score]);
  }
  const means = [...families.values()].map((s) => s.reduce((a, b) => a + b, 0) / s.length);
  return means.reduce((a, b) => a + b, 0) / means.length;
}

describe("evaluate step with evaluation.lm_eval", () => {
  let run: TinyRun;

  it(
    "hf: a failed lm_eval shows its cause and keeps finished units; the rerun merges lm-eval's scores into each model's table",
    async () => {
      run = await tinyRun(["baseline"]);
      await run.walkTo("phase2");
      run.ctx.experiment.evaluation.lm_eval = LmEvalSchema.parse({
        tasks: ["mmlu", "hellaswag", "xquad_en", "xquad_de"],
      });
      process.env.LM_EVAL_STANDIN_FAIL = "phase2-baseline";
      await expect(walkSteps([evaluateStep], run.ctx, run.state)).rejects.toThrow(
        /lm_eval exited with code 1:[\s\S]*CUDA out of memory/,
      );
      for (const done of [
        "evaluate-dissimilar-phase1",
        "evaluate-dissimilar-baseline",
        "lm-eval-dissimilar-phase1",
      ])
        expect(existsSync(join(unitDir(run, done), "step.json")), done).toBe(true);
      expect(existsSync(join(unitDir(run, "lm-eval-dissimilar-baseline"), "step.json"))).toBe(false);

      delete process.env.LM_EVAL_STANDIN_FAIL;
      await walkSteps([evaluateStep], run.ctx, run.state);
      const statuses = run.log().filter((l) => l.status === "reused" || l.status === "done");
      expect(statuses.filter((l) => l.status === "reused").map((l) => l.step)).toEqual(
        expect.arrayContaining([
          "evaluate-dissimilar-phase1",
          "evaluate-dissimilar-baseline",
          "lm-eval-dissimilar-phase1",
        ]),
      );
      expect(statuses.filter((l) => l.step === "lm-eval-dissimilar-baseline").map((l) => l.status)).toEqual([
        "done",
      ]);

      const phase1Dir = run.pair.phase1!.dir;
      const rec = record(run, "lm-eval-dissimilar-phase1").result.lm_eval;
      expect(rec.command.slice(0, 4)).toEqual(["lm_eval", "--model", "hf", "--model_args"]);
      expect(rec.command[4]).toBe(`pretrained=${phase1Dir},dtype=bfloat16`);
      expect(existsSync(join(unitDir(run, "lm-eval-dissimilar-phase1"), rec.results_file))).toBe(true);
      expect(readFileSync(join(unitDir(run, "lm-eval-dissimilar-phase1"), "lm_eval.log"), "utf8")).toContain(
        "Running loglikelihood requests: 4/4",
      );

      for (const [label, dir] of [
        ["phase1", phase1Dir],
        ["baseline", run.pair.phase2[0]!.model.dir],
      ] as const) {
        const s = run.pair.scores[label]!;
        // The stand-in's mmlu score is the first 4 bytes of the weights' sha256: the unit evaluated this model.
        const weights = createHash("sha256")
          .update(readFileSync(join(dir!, "model.safetensors")))
          .digest();
        expect(s.tasks["lm_eval/mmlu"]).toBeCloseTo(weights.readUInt32BE(0) / 2 ** 32, 12);
        expect(s.tasks["lm_eval/xquad_de"]).toBeLessThanOrEqual(1); // lm-eval's 0-100 F1, as 0-1
        expect(s.task_abilities["lm_eval/xquad_en"]).toBe("EA");
        expect(s.task_abilities["lm_eval/xquad_de"]).toBe("MA");
        expect(s.task_abilities["lm_eval/mmlu"]).toBe("EA");
        expect(Object.keys(s.tasks).some((t) => t.startsWith("heldout_likelihood/"))).toBe(true);
        expect(s.ea).toBeCloseTo(byHand(s.tasks, s.task_abilities, "EA"), 12);
        expect(s.ma).toBeCloseTo(byHand(s.tasks, s.task_abilities, "MA"), 12);
        expect(s.overall).toBeCloseTo((s.ea + s.ma) / 2, 12);
      }
      expect(run.pair.scores.phase1!.tasks["lm_eval/mmlu"]).not.toBe(
        run.pair.scores.baseline!.tasks["lm_eval/mmlu"],
      );
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "local-completions: lm_eval is pointed at each model's server, launched from generation.launch",
    async () => {
      const launch = [
        process.execPath,
        join(root, "packages/cli/bin/cftkit.js"),
        "lm",
        "serve",
        "{model}",
        "--port",
        "{port}",
      ];
      run.ctx.experiment.generation = GenerationSchema.parse({ launch, ready_timeout_s: 120 });
      run.ctx.experiment.evaluation.lm_eval = LmEvalSchema.parse({
        tasks: ["xquad_de"],
        backend: "local-completions",
      });
      await walkSteps([evaluateStep], run.ctx, run.state);
      const labels = readdirSync(join(run.dir, "steps")).filter((d) =>
        d.startsWith("lm-eval-dissimilar-phase1-"),
      );
      expect(labels).toHaveLength(2); // the hf unit stays beside the new one
      const served = labels
        .map((d) => JSON.parse(readFileSync(join(run.dir, "steps", d, "step.json"), "utf8")))
        .find((r) => r.result.lm_eval.command.includes("local-completions"));
      const args = served.result.lm_eval.command.join(" ") as string;
      expect(args).toMatch(/base_url=http:\/\/127\.0\.0\.1:\d+\/v1\/completions/);
      expect(args).toContain(`tokenizer=${run.pair.phase1!.dir}`);
      const port = /127\.0\.0\.1:(\d+)/.exec(args)![1];
      await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow(); // stopped after use
      const s = run.pair.scores.phase1!;
      expect(s.tasks["lm_eval/xquad_de"]).toBeGreaterThan(0);
      expect(s.tasks["lm_eval/xquad_de"]).toBeLessThan(1);

      // A running server serves one model: evaluating this run's two models through it is refused.
      run.ctx.experiment.generation = GenerationSchema.parse({
        server: "http://127.0.0.1:9/v1",
        evaluate: true,
      });
      await expect(walkSteps([evaluateStep], run.ctx, run.state)).rejects.toThrow(
        /RUN_EVAL_SERVER_ONE_MODEL|serves one model/,
      );
    },
    STEP_TEST_TIMEOUT,
  );
});
