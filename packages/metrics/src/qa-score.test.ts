import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MLQA_LANGUAGES, mlqaExactMatch, mlqaF1, normalizeMlqaAnswer, scoreMlqa } from "./mlqa-score.js";
import type { QaScore, SquadDataset } from "./qa-types.js";
import { normalizeSquadAnswer, scoreSquad, squadExactMatch, squadF1 } from "./squad-score.js";
import { perturbedPredictions } from "./testing/qa-perturbations.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const LANGS = ["ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"];
const tmp = mkdtempSync(join(tmpdir(), "cftkit-qa-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Job {
  dataset: string;
  predictions: Record<string, string>;
  scorer: "squad" | "mlqa";
  lang: string;
}
interface RefResult {
  exact_match: number;
  f1: number;
  count: number;
  per_question: [number, number][];
}

function runReference(jobs: Job[]): RefResult[] {
  const file = join(tmp, `jobs-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  const r = spawnSync("python3", [join(repo, "tools/reference/squad_mlqa_eval.py"), file], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as RefResult[];
}

describe("SQuAD v1.1 / MLQA scorers vs an independent Python implementation of the official rules", () => {
  it("normalises like the official scripts on hand-picked cases", () => {
    expect(normalizeSquadAnswer("The  Quick, brown fox!")).toBe("quick brown fox");
    expect(normalizeSquadAnswer("théa a")).toBe("théa");
    // Python's \b is Unicode-aware: "a" inside "ça" is not a word.
    expect(normalizeSquadAnswer("ça a")).toBe("ça");
    // Combining marks are not \w in Python's re, so "the" + U+0301 is still a whole word.
    expect(normalizeSquadAnswer("the\u0301 cat")).toBe("\u0301 cat");
    expect(normalizeMlqaAnswer("la\u0308 casa_la", "es")).toBe("\u0308 casala");
    expect(normalizeMlqaAnswer("الكتاب الجديد", "ar")).toBe("كتاب جديد");
    expect(normalizeMlqaAnswer("北京大学，2008年", "zh")).toBe("北 京 大 学 2008 年");
    expect(normalizeMlqaAnswer("Die «Katze» der", "de")).toBe("katze");
    expect(squadF1("the cat sat", "a cat sat down")).toBeCloseTo(0.8, 12);
    expect(() => normalizeMlqaAnswer("x", "ru")).toThrow(/unknown language/);
  });

  it("reproduces EM and F1 to 1e-9 on perturbed predictions for all 12 XQuAD languages", () => {
    const jobs: Job[] = [];
    const ours: QaScore[] = [];
    const datasets = new Map<string, SquadDataset>();
    for (const [i, lang] of LANGS.entries()) {
      const path = join(repo, "data/xquad", `xquad.${lang}.json`);
      const dataset = JSON.parse(readFileSync(path, "utf8")) as SquadDataset;
      datasets.set(path, dataset);
      const predictions = perturbedPredictions(dataset, lang, 1000 + i);
      jobs.push({ dataset: path, predictions, scorer: "squad", lang });
      ours.push(scoreSquad(dataset, predictions));
      if ((MLQA_LANGUAGES as readonly string[]).includes(lang)) {
        jobs.push({ dataset: path, predictions, scorer: "mlqa", lang });
        ours.push(scoreMlqa(dataset, predictions, lang));
      } else {
        expect(() => scoreMlqa(dataset, predictions, lang)).toThrow(/unknown language/);
      }
    }
    const ref = runReference(jobs);
    expect(ref.length).toBe(jobs.length);
    for (const [k, job] of jobs.entries()) {
      const r = ref[k]!;
      const o = ours[k]!;
      const label = `${job.scorer}/${job.lang}`;
      // Not trivially perfect or zero: the perturbations exercise the rules.
      expect(r.f1, label).toBeGreaterThan(20);
      expect(r.f1, label).toBeLessThan(95);
      expect(o.count, label).toBe(r.count);
      expect(
        Math.abs(o.exact_match - r.exact_match),
        `${label} EM ${o.exact_match} vs ${r.exact_match}`,
      ).toBeLessThan(1e-9);
      expect(Math.abs(o.f1 - r.f1), `${label} F1 ${o.f1} vs ${r.f1}`).toBeLessThan(1e-9);
      // Question by question, too (so compensating errors cannot hide).
      const dataset = datasets.get(job.dataset)!;
      let q = 0;
      let mismatches = 0;
      for (const a of dataset.data)
        for (const p of a.paragraphs)
          for (const qa of p.qas) {
            const [refEm, refF1] = r.per_question[q++]!;
            const pred = job.predictions[qa.id];
            let em = 0;
            let f1 = 0;
            if (pred !== undefined) {
              for (const ans of qa.answers) {
                const same =
                  job.scorer === "squad"
                    ? squadExactMatch(pred, ans.text)
                    : mlqaExactMatch(pred, ans.text, job.lang);
                if (same) em = 1;
                f1 = Math.max(
                  f1,
                  job.scorer === "squad" ? squadF1(pred, ans.text) : mlqaF1(pred, ans.text, job.lang),
                );
              }
            }
            if (em !== refEm || Math.abs(f1 - refF1) > 1e-12) {
              if (mismatches++ < 5)
                console.log(
                  `${label} ${qa.id}: prediction ${JSON.stringify(pred)} ours ${em}/${f1} reference ${refEm}/${refF1}`,
                );
            }
          }
      expect(mismatches, label).toBe(0);
    }
  }, 60_000);
});
