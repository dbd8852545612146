import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchOpenAIServer } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { GenerationSchema } from "../generation-schema.js";
import { lmServeLaunch, STEP_TEST_TIMEOUT, tinyRun } from "../testing/tiny-run.js";
import { walkSteps } from "../walker.js";
import { XLSUM_PROMPT } from "@cftkit/evaluation";
import { evaluateStep } from "./evaluate.js";
import { withEmbeddedEvalModel } from "./evaluate-native.js";

// The runner launches the real `cftkit lm serve` (a child process on 127.0.0.1) per model; no stand-in.
const launch = lmServeLaunch();

const servedOn = (dir: string) =>
  /listening on (\S+)/.exec(readFileSync(join(dir, "server.log"), "utf8"))![1]!;

describe("evaluate step through served models (generation.evaluate)", () => {
  it(
    "scores through a launched cftkit lm serve as the embedded model does, and stops the server, also after a failure",
    async () => {
      const run = await tinyRun(["baseline"]);
      await run.walkTo("phase1");
      // QA items whose prompt fits the tiny model's 2048 positions (a server refuses longer ones, as vLLM does).
      run.ctx.evaluation.qa = run.ctx.evaluation.qa.filter((q) => ["en", "de", "es"].includes(q.language));
      expect(run.ctx.evaluation.qa.length).toBe(3);
      // XL-Sum-shaped items (article → one-sentence summary) from the held-out texts, in two languages.
      run.ctx.experiment.evaluation.xlsum_max_new_tokens = 6;
      run.ctx.evaluation.xlsum = ["en", "de"].map((language) => ({
        language,
        items: run.ctx.evaluation.heldout[0]!.examples.filter((e) => e.language === language).map((e, i) => ({
          id: `${language}-${i}`,
          text: e.messages.at(-1)!.content.slice(0, 400),
          summary: e.messages.at(-1)!.content.slice(0, 60),
        })),
      }));
      expect(run.ctx.evaluation.xlsum.every((x) => x.items.length > 0)).toBe(true);
      await walkSteps([evaluateStep], run.ctx, run.state);
      const embedded = run.pair.scores.phase1!;

      run.ctx.experiment.generation = GenerationSchema.parse({
        launch,
        evaluate: true,
        ready_timeout_s: 120,
      });
      await walkSteps([evaluateStep], run.ctx, run.state);
      const served = run.pair.scores.phase1!;
      expect(Object.keys(served.tasks).sort()).toEqual(Object.keys(embedded.tasks).sort());
      for (const [task, score] of Object.entries(embedded.tasks)) {
        // Likelihoods: the same forward pass behind HTTP; QA: greedy answers, so identical F1.
        if (task.startsWith("xquad_f1/") || task.startsWith("xlsum/") || task.startsWith("response_rougeL/"))
          expect(served.tasks[task], task).toBe(score);
        else expect(served.tasks[task]!, task).toBeCloseTo(score, 5);
      }
      for (const [key, nll] of Object.entries(embedded.loss_by_language))
        expect(served.loss_by_language[key]!, key).toBeCloseTo(nll, 5);
      expect(served.ea).toBeCloseTo(embedded.ea, 5);
      expect(served.ma).toBeCloseTo(embedded.ma, 5);

      const steps = join(run.dir, "steps");
      const servedDir = readdirSync(steps)
        .map((d) => join(steps, d))
        .find((d) => existsSync(join(d, "server.log")))!;
      // The greedy answers themselves are identical, not only their F1.
      const servedAnswers = readFileSync(join(servedDir, "responses.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { value: { text?: string } }).value.text)
        .filter((t): t is string => t !== undefined)
        .map((t) => t.split("\n")[0]!.trim());
      expect(servedAnswers).toHaveLength(7); // 3 QA answers, 2 summaries, 2 free answers to Alpaca instructions
      const summaries = run.ctx.evaluation.xlsum.flatMap((x) =>
        x.items.map((item) => ({
          prompt: [{ role: "user" as const, content: XLSUM_PROMPT.replace("{text}", item.text) }],
          maxNewTokens: 6,
        })),
      );
      const answers = run.ctx.evaluation.responses.flatMap((r) =>
        r.items.map((item) => ({
          prompt: item.prompt,
          maxNewTokens: run.ctx.experiment.evaluation.responses_max_new_tokens,
        })),
      );
      const embeddedAnswers = await withEmbeddedEvalModel(run.ctx, run.pair.phase1!.dir, "x", (m) =>
        m.generate([
          ...run.ctx.evaluation.qa.map((q) => ({ prompt: q.prompt, maxNewTokens: 4, stop: ["\n"] })),
          ...summaries,
          ...answers,
        ]),
      );
      expect(servedAnswers.sort()).toEqual(embeddedAnswers.map((t) => t.split("\n")[0]!.trim()).sort());
      expect(Object.keys(served.tasks)).toEqual(expect.arrayContaining(["xlsum/en", "xlsum/de"]));
      await expect(fetch(`${servedOn(servedDir)}/models`)).rejects.toThrow(); // stopped after use

      // Two running servers of the model share the requests (generation.servers): the same scores.
      const running = await Promise.all(
        [0, 1].map(() =>
          launchOpenAIServer({ argv: launch, model: run.pair.phase1!.dir, readyTimeoutMs: 120_000 }),
        ),
      );
      try {
        run.ctx.experiment.generation = GenerationSchema.parse({
          servers: running.map((r) => r.baseUrl),
          evaluate: true,
        });
        run.ctx.evaluation.key = { servers: 2 }; // measure again rather than reuse the launched run's unit
        await walkSteps([evaluateStep], run.ctx, run.state);
        expect(run.pair.scores.phase1!.tasks).toEqual(served.tasks);
      } finally {
        await Promise.all(running.map((r) => r.stop()));
      }
      run.ctx.experiment.generation = GenerationSchema.parse({
        launch,
        evaluate: true,
        ready_timeout_s: 120,
      });

      // A prompt longer than the model's context: the server refuses it, the unit fails, the server stops.
      const long = "word ".repeat(5000);
      run.ctx.evaluation.qa = [
        { id: "long", language: "en", prompt: [{ role: "user", content: long }], answers: ["x"] },
      ];
      run.ctx.evaluation.key = { changed: true };
      const before = new Set(readdirSync(steps));
      await expect(walkSteps([evaluateStep], run.ctx, run.state)).rejects.toThrow(/maximum context length/);
      const failedDir = join(steps, readdirSync(steps).find((d) => !before.has(d))!);
      expect(existsSync(join(failedDir, "step.json"))).toBe(false);
      await expect(fetch(`${servedOn(failedDir)}/models`)).rejects.toThrow();
      expect(existsSync(join(servedDir, "step.json"))).toBe(true); // the finished unit stays
    },
    STEP_TEST_TIMEOUT,
  );
});
