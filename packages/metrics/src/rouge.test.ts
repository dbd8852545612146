import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { porterStem } from "./porter-stemmer.js";
import { lcsLength, rougeCorpus, rougeScore, tokenizeMultilingual, tokenizeRouge } from "./rouge.js";

// First two lines of rouge_score's testdata/target.txt and prediction.txt (random strings built to exercise the
// tokenizer and the stemmer); expected values are the ROUGE-1.5.5 numbers asserted in rouge_scorer_test.py.
const TARGETS = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
];
const PREDICTIONS = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
];

function close(actual: number, expected: number, places = 5) {
  expect(Math.abs(actual - expected)).toBeLessThan(0.5 * 10 ** -places);
}

describe("ROUGE compatible with google rouge_score", () => {
  it("scores the documented small examples", () => {
    let s = rougeScore("testing one two", "testing");
    close(s.rouge1.precision, 1, 9);
    close(s.rouge1.recall, 1 / 3, 9);
    close(s.rouge1.fmeasure, 1 / 2, 9);
    s = rougeScore("testing one two", "testing one");
    close(s.rouge2.precision, 1, 9);
    close(s.rouge2.recall, 1 / 2, 9);
    close(s.rouge2.fmeasure, 2 / 3, 9);
    close(s.rougeL.recall, 2 / 3, 9);
    close(s.rougeL.fmeasure, 4 / 5, 9);
    s = rougeScore("testing one two", "testing two");
    close(s.rougeL.precision, 1, 9);
    close(s.rougeL.recall, 2 / 3, 9);
    s = rougeScore("testing one two", "");
    for (const k of ["rouge1", "rouge2", "rougeL"] as const)
      expect(s[k]).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(lcsLength(["1", "2", "3", "4", "5"], ["2", "5", "3", "4"])).toBe(3);
  });

  it("matches ROUGE-1.5.5 on rouge_score's test data, without and with stemming", () => {
    const a = rougeScore(TARGETS[0]!, PREDICTIONS[0]!);
    close(a.rouge1.recall, 0.40741);
    close(a.rouge1.precision, 0.6875);
    close(a.rouge1.fmeasure, 0.51163);
    close(a.rouge2.recall, 0.30769);
    close(a.rouge2.precision, 0.53333);
    close(a.rouge2.fmeasure, 0.39024);
    close(a.rougeL.recall, 0.40741);
    close(a.rougeL.precision, 0.6875);
    close(a.rougeL.fmeasure, 0.51163);
    const b = rougeScore(TARGETS[1]!, PREDICTIONS[1]!);
    close(b.rouge1.recall, 0.40476);
    close(b.rouge1.precision, 0.65385);
    close(b.rouge1.fmeasure, 0.5);
    close(b.rouge2.recall, 0.29268);
    close(b.rouge2.precision, 0.48);
    close(b.rouge2.fmeasure, 0.36364);
    close(b.rougeL.recall, 0.40476);
    close(b.rougeL.precision, 0.65385);
    close(b.rougeL.fmeasure, 0.5);

    const as = rougeScore(TARGETS[0]!, PREDICTIONS[0]!, { stem: true });
    close(as.rouge1.recall, 0.40741);
    close(as.rouge1.precision, 0.6875);
    close(as.rouge1.fmeasure, 0.51163);
    close(as.rouge2.recall, 0.30769);
    close(as.rouge2.precision, 0.53333);
    const bs = rougeScore(TARGETS[1]!, PREDICTIONS[1]!, { stem: true });
    close(bs.rouge1.recall, 0.42857);
    close(bs.rouge1.precision, 0.69231);
    close(bs.rouge1.fmeasure, 0.52941);
    close(bs.rouge2.recall, 0.29268);
    close(bs.rouge2.precision, 0.48);
    close(bs.rouge2.fmeasure, 0.36364);
  });

  it("tokenizes like rouge_score (ASCII only) and the multilingual mode keeps other scripts", () => {
    expect(tokenizeRouge("The quick-brown FOX's café, 42!")).toEqual([
      "the",
      "quick",
      "brown",
      "fox",
      "s",
      "caf",
      "42",
    ]);
    expect(tokenizeRouge("running dogs are dying", true)).toEqual(["run", "dog", "are", "die"]);
    expect(tokenizeRouge("Привет мир")).toEqual([]);
    expect(tokenizeMultilingual("Привет, мир!")).toEqual(["привет", "мир"]);
    expect(tokenizeMultilingual("北京大学，2008年")).toEqual(["北", "京", "大", "学", "2008", "年"]);
    expect(tokenizeMultilingual("Él dijo: «hola»")).toEqual(["él", "dijo", "hola"]);
    const m = rougeScore("Привет мир", "привет", { mode: "multilingual" });
    close(m.rouge1.recall, 0.5, 9);
  });

  it("averages a corpus and rejects unpaired inputs", () => {
    const c = rougeCorpus(["testing one two", "a b"], ["testing", "a b"]);
    close(c.rouge1.recall, (1 / 3 + 1) / 2, 9);
    expect(() => rougeCorpus(["a"], [])).toThrow(/pair up/);
  });
});

describe("ROUGE and the Porter stemmer vs an independent Python implementation of rouge_score's rules", () => {
  const repo = fileURLToPath(new URL("../../../", import.meta.url));
  const alpaca = JSON.parse(readFileSync(join(repo, "data/alpaca/alpaca_5000.json"), "utf8")) as {
    instruction: string;
    output: string;
  }[];
  const tmp = mkdtempSync(join(tmpdir(), "cftkit-rouge-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const runRef = (mode: "stem" | "score", payload: unknown): unknown => {
    const file = join(tmp, `${mode}.json`);
    writeFileSync(file, JSON.stringify(payload));
    const r = spawnSync("python3", [join(repo, "tools/reference/rouge_ref.py"), mode, file], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };

  it("stems every word of the Alpaca sample identically", () => {
    const words = new Set<string>();
    for (const r of alpaca)
      for (const w of `${r.instruction} ${r.output}`.toLowerCase().match(/[a-z]+/g) ?? []) words.add(w);
    const list = [...words].sort();
    expect(list.length).toBeGreaterThan(10_000);
    const ref = runRef("stem", list) as string[];
    const diffs = list.map((w, i) => [w, porterStem(w), ref[i]]).filter(([, a, b]) => a !== b);
    expect(diffs.slice(0, 10)).toEqual([]);
  }, 60_000);

  it("scores 500 instruction/output pairs identically with stemming", () => {
    const pairs = alpaca.slice(0, 500).map((r) => [r.output, r.instruction] as [string, string]);
    const ref = runRef("score", { pairs, stem: true }) as {
      scores: Record<"rouge1" | "rouge2" | "rougeL", number[]>[];
    };
    for (const [i, [t, p]] of pairs.entries()) {
      const s = rougeScore(t, p, { stem: true });
      for (const k of ["rouge1", "rouge2", "rougeL"] as const) {
        const [rp, rr, rf] = ref.scores[i]![k]!;
        expect(
          Math.abs(s[k].precision - rp!) + Math.abs(s[k].recall - rr!) + Math.abs(s[k].fmeasure - rf!),
        ).toBeLessThan(1e-12);
      }
    }
  }, 60_000);
});
