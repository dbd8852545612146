import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abilityTable, phaseDeltas, type ScoredTask, summarizeAbilities } from "../aggregate.js";
import { parseCsv } from "./csv.js";
import type { EvalModel, GenerationRequest, LikelihoodRequest } from "./eval-model.js";
import {
  hellaswagPreprocess,
  loadHellaswagItems,
  loadMmluItems,
  multipleChoiceTask,
} from "./multiple-choice-task.js";
import { pairwiseJudgeTask, parseVerdict } from "./pairwise-judge-task.js";
import { parseTaskSpec, runEvaluation } from "./run-evaluation.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-runners-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function python(code: string, input: string): string {
  const r = spawnSync("python3", ["-c", code], { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe("local file layouts", () => {
  it("parses CSV like Python's csv module (quotes, doubled quotes, embedded newlines, CRLF)", () => {
    const text = 'a,"b, c","say ""hi"""\r\n"multi\nline",,x\nlast,row,"q"\n';
    const expected = JSON.parse(
      python(
        "import csv,io,json,sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))))",
        text,
      ),
    );
    expect(parseCsv(text)).toEqual(expected);
  });

  it("cleans HellaSwag text as lm-eval's preprocess does", () => {
    const samples = [
      "  [header] How to bake bread. [title] Mix the flour.  [step] Knead it [substeps]  well ",
      "A man is [sitting] on a roof.  He  starts",
    ];
    const py = JSON.parse(
      python(
        "import json,re,sys\ndef p(t):\n  t=t.strip(); t=t.replace(' [title]','. '); t=re.sub('\\\\[.*?\\\\]','',t); return t.replace('  ',' ')\nprint(json.dumps([p(s) for s in json.load(sys.stdin)]))",
        JSON.stringify(samples),
      ),
    );
    expect(samples.map(hellaswagPreprocess)).toEqual(py);
  });

  it("reads MMLU CSV (no header), Global-MMLU CSV (header) and HellaSwag JSONL into lm-eval prompts", async () => {
    const mmlu = join(dir, "high_school_physics_test.csv");
    await writeFile(mmlu, '"What is g, on Earth?",9.8,"1,0",3,0,A\nSecond?,a,b,c,d,D\n');
    const items = await loadMmluItems(mmlu);
    expect(items[0]!.context).toBe(
      "The following are multiple choice questions (with answers) about high school physics.\n\nWhat is g, on Earth?\nA. 9.8\nB. 1,0\nC. 3\nD. 0\nAnswer:",
    );
    expect(items[0]!.choices).toEqual([" A", " B", " C", " D"]);
    expect(items.map((i) => i.gold)).toEqual([0, 3]);
    const global = join(dir, "global_de.csv");
    await writeFile(
      global,
      "sample_id,subject,question,option_a,option_b,option_c,option_d,answer\nx1,anatomy, Was? ,eins,zwei,drei,vier,C\n",
    );
    const g = await loadMmluItems(global, { subjectDescription: false });
    expect(g[0]).toEqual({
      id: "x1",
      context: "Was?\nA. eins\nB. zwei\nC. drei\nD. vier\nAnswer:",
      choices: [" A", " B", " C", " D"],
      gold: 2,
    });
    const hs = join(dir, "hellaswag.jsonl");
    await writeFile(
      hs,
      `${JSON.stringify({ ind: 4, activity_label: "Roof shingle removal", ctx_a: "A man is sitting on a roof.", ctx_b: "he", endings: ["is using wrap.", "starts pulling up roofing [title] on a roof."], label: "1" })}\n`,
    );
    const h = await loadHellaswagItems(hs);
    expect(h[0]).toEqual({
      id: "4",
      context: "Roof shingle removal: A man is sitting on a roof. He",
      choices: [" is using wrap.", " starts pulling up roofing. on a roof."],
      gold: 1,
    });
  });
});

/** A scripted model: log-likelihood = −(characters of the continuation that are not 'x'), generation echoes. */
const scripted: EvalModel = {
  id: "scripted",
  async generate(requests: GenerationRequest[]) {
    return requests.map((r) =>
      typeof r.prompt === "string" ? r.prompt : r.prompt[r.prompt.length - 1]!.content,
    );
  },
  async logLikelihood(requests: LikelihoodRequest[]) {
    return requests.map((r) => ({
      logprob: -r.continuation.replaceAll("x", "").length,
      tokenCount: 1,
      isGreedy: false,
    }));
  },
};

describe("multipleChoiceTask", () => {
  it("picks the most likely continuation (acc) and the length-normalised one (acc_norm)", async () => {
    const items = [
      { id: "1", context: "q", choices: [" ab", " xxxxa", " abc"], gold: 1 }, // lls -3, -2, -4 → acc 1; norm -1, -0.33, -1 → 1
      { id: "2", context: "q", choices: [" a", " xxxxxxbb"], gold: 1 }, // lls -2, -3 → acc 0; norm -1, -0.33 → 1
    ];
    const r = await multipleChoiceTask(scripted, items);
    expect(r.predictions).toEqual([
      { acc: 1, acc_norm: 1 },
      { acc: 0, acc_norm: 1 },
    ]);
    expect(r.acc).toBe(0.5);
    expect(r.acc_norm).toBe(1);
  });
});

describe("pairwiseJudgeTask", () => {
  const items = [
    { id: "a", instruction: "Say GOOD", reference: "bad answer" },
    { id: "b", instruction: "Say meh", reference: "GOOD answer" },
    { id: "c", instruction: "Say GOOD too", reference: "bad again" },
  ];
  const judgeOf = (pick: (a: string, b: string) => string): EvalModel => ({
    id: "judge",
    async generate(requests) {
      return requests.map((r) => {
        const text = (r.prompt as { content: string }[])[1]!.content;
        const a = text.split("# Output A\n")[1]!.split("\n\n# Output B")[0]!;
        const b = text.split("# Output B\n")[1]!.split("\n\n# Which")[0]!;
        return pick(a, b);
      });
    },
    async logLikelihood() {
      throw new Error("unused");
    },
  });

  it("cancels a judge's position bias by swapping the order", async () => {
    const alwaysA = await pairwiseJudgeTask(
      scripted,
      judgeOf(() => "A"),
      items,
    );
    expect(alwaysA.score).toBe(0.5);
    expect(alwaysA.details.first_position_rate).toBe(1);
    const fair = await pairwiseJudgeTask(
      scripted,
      judgeOf((a, b) => (a.includes("GOOD") && !b.includes("GOOD") ? "A" : "B")),
      items,
    );
    // The scripted model echoes the instruction: it wins a and c, loses b.
    expect(fair.predictions.map((p) => p.score)).toEqual([1, 0, 1]);
    expect(fair.score).toBeCloseTo(2 / 3, 12);
  });

  it("reads verdicts", () => {
    expect(parseVerdict("B")).toBe("B");
    expect(parseVerdict("Output A is better")).toBe("A");
    expect(parseVerdict("**B**")).toBe("B");
    expect(parseVerdict("neither")).toBeNull();
  });
});

describe("aggregation", () => {
  const phase1: ScoredTask[] = [
    { task: "ifeval", family: "ifeval", language: "en", ability: "EA", score: 0.5 },
    { task: "mmlu", family: "mmlu", language: "en", ability: "EA", score: 0.7 },
    { task: "xquad_de", family: "xquad", language: "de", ability: "MA", score: 0.4 },
    { task: "xquad_zh", family: "xquad", language: "zh", ability: "MA", score: 0.2 },
    { task: "global_mmlu_de", family: "global_mmlu", language: "de", ability: "MA", score: 0.5 },
  ];
  const phase2 = phase1.map((t) => ({ ...t, score: t.ability === "MA" ? t.score + 0.1 : t.score - 0.05 }));

  it("EA/MA are means of task(-family) scores with per-language breakdowns", () => {
    const s = summarizeAbilities(phase1);
    expect(s.ea).toBeCloseTo(0.6, 12);
    expect(s.ma).toBeCloseTo((0.3 + 0.5) / 2, 12);
    expect(s.families.MA.xquad!.score).toBeCloseTo(0.3, 12);
    expect(s.byLanguage.de!.mean).toBeCloseTo(0.45, 12);
    const d = phaseDeltas(phase1, phase2);
    expect(d.ea).toBeCloseTo(-0.05, 12);
    expect(d.ma).toBeCloseTo(0.1, 12);
    expect(d.tasks.xquad_zh).toBeCloseTo(0.1, 12);
  });

  it("renders the paper's table layout", () => {
    const table = abilityTable([
      { strategy: "Phase 1", results: phase1 },
      { strategy: "Phase 2 (FFT)", results: phase2 },
    ]);
    const lines = table.trim().split("\n");
    expect(lines[0]).toBe("| Strategy | ifeval | mmlu | EA avg | xquad | global_mmlu | MA avg | Overall |");
    // Overall = mean(EA avg, MA avg), computed by hand: (60 + 40) / 2 and (55 + 50) / 2.
    expect(lines[2]).toBe("| Phase 1 | 50.00 | 70.00 | 60.00 | 30.00 | 50.00 | 40.00 | 50.00 |");
    expect(lines[3]).toBe("| Phase 2 (FFT) | 45.00 | 65.00 | 55.00 | 40.00 | 60.00 | 50.00 | 52.50 |");
  });
});

describe("runEvaluation", () => {
  it("writes per-task results and predictions, and a rerun reads finished tasks back", async () => {
    const mmlu = join(dir, "astronomy_test.csv");
    await writeFile(mmlu, "Q1?,a,b,c,d,A\nQ2?,aa,b,c,d,B\n");
    const out = join(dir, "run");
    let calls = 0;
    const counting: EvalModel = {
      id: "counting",
      generate: scripted.generate,
      async logLikelihood(r) {
        calls += r.length;
        return scripted.logLikelihood(r);
      },
    };
    const tasks = [parseTaskSpec(`mmlu:${mmlu}`)];
    const first = await runEvaluation({ model: counting, tasks, out });
    expect(calls).toBe(8);
    expect(first.tasks[0]!.count).toBe(2);
    const preds = (await readFile(join(out, "predictions", "mmlu.jsonl"), "utf8")).trim().split("\n");
    expect(preds).toHaveLength(2);
    const saved = JSON.parse(await readFile(join(out, "results.json"), "utf8"));
    expect(saved.tasks[0].score).toBe(first.tasks[0]!.score);
    const second = await runEvaluation({ model: counting, tasks, out });
    expect(calls).toBe(8);
    expect(second.resumed).toEqual(["mmlu"]);
    expect(second.tasks).toEqual(first.tasks);
  });

  it("parses task strings", () => {
    expect(parseTaskSpec("xquad_de", { dataDir: "/d" })).toMatchObject({
      family: "xquad",
      language: "de",
      path: "/d/xquad/xquad.de.json",
    });
    expect(parseTaskSpec("mlqa_de_en:/x.json")).toMatchObject({
      family: "mlqa",
      language: "de",
      questionLanguage: "en",
    });
    expect(parseTaskSpec("global_mmlu_zh:/g.csv")).toMatchObject({ family: "global_mmlu", language: "zh" });
    expect(() => parseTaskSpec("mmlu")).toThrow(/needs a file/);
    expect(() => parseTaskSpec("nope")).toThrow(/unknown task/);
  });
});
