import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ifevalFilesSchema, qaFilesSchema, rougeFilesSchema } from "./eval-run-options.js";
import { rougeFiles, scoreQaFiles } from "./score-files.js";

describe("the standalone scorers on files", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-score-files-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("scoreQaFiles: exact match and F1 by hand (one exact, one half-right, one missing)", async () => {
    const qas = [
      { id: "q1", answers: [{ text: "Paris" }] },
      { id: "q2", answers: [{ text: "red apple" }] },
      { id: "q3", answers: [{ text: "blue" }] },
    ];
    const dataset = write("squad.json", JSON.stringify({ data: [{ paragraphs: [{ context: "c", qas }] }] }));
    const preds = write("preds.json", JSON.stringify({ q1: "Paris", q2: "apple" }));
    const score = await scoreQaFiles(dataset, preds, { scorer: "squad", lang: "en" });
    // q2: precision 1, recall 1/2 → F1 2/3; q3 unanswered scores 0.
    expect(score).toMatchObject({ count: 3, answered: 2, scorer: "squad", lang: "en" });
    expect(score.exact_match).toBeCloseTo(100 / 3, 9);
    expect(score.f1).toBeCloseTo(((1 + 2 / 3) / 3) * 100, 9);
    const notSquad = write("bad.json", JSON.stringify({ rows: [] }));
    await expect(scoreQaFiles(notSquad, preds, { scorer: "squad", lang: "en" })).rejects.toMatchObject({
      code: "EVAL_BAD_DATASET",
    });
  });

  it("rougeFiles: identical lines score 1, the mode follows the language", async () => {
    const a = write("a.txt", "the cat sat on the mat\na quick brown fox\n");
    const result = await rougeFiles(a, a, { lang: "en", stem: false });
    expect(result).toMatchObject({ mode: "en", lang: "en", stem: false });
    expect(result.rouge1.fmeasure).toBeCloseTo(1, 12);
    expect(result.rougeL.fmeasure).toBeCloseTo(1, 12);
    expect((await rougeFiles(a, a, { lang: "ru", stem: false })).mode).toBe("multilingual");
  });

  it("their option schemas fill the defaults and mark which paths are read or written", () => {
    expect(qaFilesSchema.parse({ dataset: "d.json", predictions: "p.json" })).toMatchObject({
      scorer: "squad",
      lang: "en",
    });
    expect(rougeFilesSchema.parse({ predictions: "p", references: "r" })).toMatchObject({ stem: false });
    expect(qaFilesSchema.shape.dataset.meta()?.path).toBe("input");
    expect(ifevalFilesSchema.shape.out.unwrap().meta()?.path).toBe("output-folder");
    expect(qaFilesSchema.safeParse({ dataset: "d", predictions: "p", scorer: "bleu" }).success).toBe(false);
  });
});
