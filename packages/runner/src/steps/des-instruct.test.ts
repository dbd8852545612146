import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundledBaseModel, bundledDataDir } from "../bundled-data.js";
import { CausalLmEncoder } from "../causal-lm-encoder.js";
import type { RunExperiment } from "../experiment-schema.js";
import { buildResults } from "../report/build-results.js";
import { lmServeLaunch, STEP_TEST_TIMEOUT, type TinyRun, tinyRun } from "../testing/tiny-run.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const reference = join(root, "tools/reference/des.py");
const PROMPTS = 5;

interface Row {
  instruction: string;
  input?: string;
  output?: string;
}
const jsonl = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
const mtBenchFirstTurns = new Set(
  jsonl(join(bundledDataDir(), "mt_bench", "question.jsonl")).map(
    (q) => (q as unknown as { turns: string[] }).turns[0]!,
  ),
);

/**
 * The quickstart's dissimilar pair plus an "Instruct" pair: Phase 1 is an off-the-shelf model (the bundled
 * pre-trained model folder), Phase 2 the same XQuAD data. DES embeds instruction + response, every record
 * of both sets (samples above both sizes), so numpy sees exactly the vectors the step averaged.
 */
function withInstructPair(generation?: RunExperiment["generation"]) {
  return (experiment: RunExperiment) => {
    const [dissimilar] = experiment.settings;
    experiment.settings.push({
      ...dissimilar!,
      name: "instruct",
      phase1: { model: bundledBaseModel()!.dir },
    });
    experiment.replay_sources.instruct = experiment.replay_sources.dissimilar!;
    experiment.analysis.des = {
      ...experiment.analysis.des,
      samples: 1000,
      text: "instruction+input+output",
      instruct_set: { max_prompts: PROMPTS, max_new_tokens: 8 },
    };
    if (generation) experiment.generation = generation;
  };
}

const instructPair = (run: TinyRun) => run.state.pairs.find((p) => p.name === "instruct")!;
const setPath = (run: TinyRun) => instructPair(run).des!.phase1_set!.path;

describe("des step: the paper's Instruct DES set (an off-the-shelf Phase-1 model's MT-Bench answers)", () => {
  let run: TinyRun;
  const made: string[] = [];
  beforeAll(async () => {
    run = await tinyRun(["baseline"], undefined, withInstructPair());
    made.push(run.dir);
    await run.walkTo("des");
  }, STEP_TEST_TIMEOUT);
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it(
    "generates one answer per MT-Bench prompt used and records which set, by which model",
    () => {
      const set = instructPair(run).des!.phase1_set!;
      expect(set).toMatchObject({
        model: `instruct:${bundledBaseModel()!.dir}`,
        prompts_available: 80,
        prompts_used: PROMPTS,
        rows: PROMPTS,
        generator: "embedded",
        max_new_tokens: 8,
      });
      const rows = jsonl(set.path);
      expect(rows).toHaveLength(PROMPTS);
      expect(new Set(rows.map((r) => r.instruction)).size).toBe(PROMPTS);
      for (const r of rows) {
        expect(mtBenchFirstTurns.has(r.instruction)).toBe(true);
        expect(typeof r.output).toBe("string");
      }
      expect(instructPair(run).des!.text).toBe("instruction+input+output");
      // results.json carries it (path relative to the experiment file) for the report's note.
      const inResults = buildResults(run.ctx, run.state).pairs.find((p) => p.name === "instruct")!;
      expect(inResults.des_set).toMatchObject({
        rows: PROMPTS,
        prompts_used: PROMPTS,
        generator: "embedded",
      });
      expect(inResults.des_set!.path).toMatch(
        /^steps\/des-set-instruct-[0-9a-f]+\/instruct-set\/replay\.jsonl$/,
      );
      expect(inResults.des_text).toBe("instruction+input+output");
      // A pair with Phase-1 data embeds its records the same way.
      expect(run.pair.des!.text).toBe("instruction+input+output");
    },
    STEP_TEST_TIMEOUT,
  );

  /** numpy's Definition 1 (tools/reference/des.py) of the base encoder's vectors of the two text lists. */
  async function numpyDes(a: string[], b: string[]): Promise<number> {
    const encoder = await CausalLmEncoder.load(instructPair(run).base.dir);
    const [va, vb] = [await encoder.embed(a), await encoder.embed(b)];
    encoder.dispose();
    const payload = JSON.stringify({ a: va.map((v) => Array.from(v)), b: vb.map((v) => Array.from(v)) });
    const out = execFileSync("/usr/bin/python3", [reference], { input: payload, encoding: "utf8" });
    return (JSON.parse(out) as { des: number }).des;
  }
  const textOf = (r: Row) => [r.instruction, r.input, r.output].filter((t) => t).join("\n\n");
  const phase2Texts = () => jsonl(join(run.dir, "data/phase2.records.jsonl")).map(textOf);

  it(
    "DES of the generated set against Phase 2 equals numpy's Definition 1 of the embedded vectors",
    async () => {
      const des = instructPair(run).des!;
      expect(des.model).toMatch(/^causal-lm:base:/);
      const want = await numpyDes(jsonl(setPath(run)).map(textOf), phase2Texts());
      expect(Math.abs(des.des - want)).toBeLessThan(1e-6);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "a pair with Phase-1 chat data embeds its prompts with their responses when the experiment says so",
    async () => {
      const [file] = run.pair.stage.setting.phase1.datasets!;
      const chats = readFileSync(join(run.dir, file!.path), "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { messages: { content: string }[] }).messages.map((m) => m.content));
      const want = await numpyDes(
        chats.map((turns) => turns.join("\n\n")),
        phase2Texts(),
      );
      expect(Math.abs(run.pair.des!.des - want)).toBeLessThan(1e-6);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "reuses the set and the DES on a re-run; an interrupted generation resumes its journal",
    async () => {
      const first = instructPair(run).des!;
      const again = await tinyRun(["baseline"], run.dir, withInstructPair());
      await again.walkTo("des");
      expect(instructPair(again).des).toEqual(first);
      const events = (step: string) =>
        again
          .log()
          .filter((l) => l.step === step)
          .map((l) => l.status);
      expect(events("des-set-instruct")).toEqual(["start", "done", "reused"]);
      expect(events("des-instruct")).toEqual(["start", "done", "reused"]);

      // Cut the set to 3 answers and drop its done-marker: the next run answers only the 2 missing prompts.
      const lines = readFileSync(first.phase1_set!.path, "utf8")
        .split("\n")
        .filter((l) => l.trim());
      writeFileSync(first.phase1_set!.path, `${lines.slice(0, 3).join("\n")}\n`);
      rmSync(join(dirname(dirname(first.phase1_set!.path)), "step.json"));
      const resumed = await tinyRun(["baseline"], run.dir, withInstructPair());
      await resumed.walkTo("des");
      const rows = readFileSync(first.phase1_set!.path, "utf8")
        .split("\n")
        .filter((l) => l.trim());
      expect(rows).toHaveLength(PROMPTS);
      expect(rows.slice(0, 3)).toEqual(lines.slice(0, 3));
      const answers = (l: string[]) =>
        Object.fromEntries(l.map((r) => JSON.parse(r)).map((r) => [r.id, r.output]));
      expect(answers(rows)).toEqual(answers(lines)); // greedy: the same answers again
      expect(instructPair(resumed).des!.phase1_set!.resumed).toBe(3);
      expect(instructPair(resumed).des!.des).toBe(first.des);
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "generates the set through a launched `cftkit lm serve` with the same greedy answers",
    async () => {
      const launch = lmServeLaunch();
      const served = await tinyRun(
        ["baseline"],
        undefined,
        withInstructPair({ launch, concurrency: 2, ready_timeout_s: 120, timeout_s: 120, evaluate: false }),
      );
      made.push(served.dir);
      await served.walkTo("des");
      const set = instructPair(served).des!.phase1_set!;
      expect(set.generator).toBe("server");
      expect(set.rows).toBe(PROMPTS);
      const byPrompt = (path: string) =>
        Object.fromEntries(jsonl(path).map((r) => [r.instruction, r.output]));
      expect(byPrompt(set.path)).toEqual(byPrompt(setPath(run)));
    },
    STEP_TEST_TIMEOUT,
  );

  it(
    "refuses a prompts file that does not exist, naming the key",
    async () => {
      const bad = await tinyRun(["baseline"], undefined, (experiment) => {
        withInstructPair()(experiment);
        experiment.analysis.des.instruct_set.prompts = "no-such-prompts.jsonl";
      });
      made.push(bad.dir);
      const { desStep } = await import("./des.js");
      await expect(desStep.units(bad.ctx, bad.state)).rejects.toMatchObject({
        code: "RUN_DES_PROMPTS_MISSING",
        message: expect.stringMatching(/analysis\.des\.instruct_set\.prompts: .*no-such-prompts\.jsonl/),
      });
    },
    STEP_TEST_TIMEOUT,
  );
});
