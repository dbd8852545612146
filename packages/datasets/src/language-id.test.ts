import { describe, expect, it } from "vitest";
import { detectLanguage, languageCounts, languageReport } from "./language-id.js";
import { loadDataset } from "./load-dataset.js";
import { dataPath, XQUAD_LANGUAGES } from "./test-helpers.js";

describe("language identification (tinyld)", () => {
  it("agrees with the file's language on ≥ 98% of XQuAD questions across the 12 languages", async () => {
    const records = await loadDataset(dataPath("xquad"));
    expect(languageCounts(records)).toEqual(Object.fromEntries(XQUAD_LANGUAGES.map((l) => [l, 1190])));
    // Questions only (the context would make it easy), restricted to the 12 candidate languages.
    const report = languageReport(records, { text: "input", candidates: XQUAD_LANGUAGES });
    const perLanguage = Object.fromEntries(
      Object.entries(report.perLanguage).map(([l, v]) => [l, `${(v.agreement * 100).toFixed(1)}%`]),
    );
    console.log(
      `XQuAD question language agreement: ${(report.agreement * 100).toFixed(2)}% overall`,
      perLanguage,
    );
    expect(report.checked).toBe(14280);
    expect(report.agreement).toBeGreaterThanOrEqual(0.98);
    for (const v of Object.values(report.perLanguage)) expect(v.agreement).toBeGreaterThan(0.95);
    // The mismatch report names the record, what it declares and what was detected.
    expect(report.mismatches.length).toBe(Math.min(100, report.checked - report.agree));
    expect(report.mismatches[0]).toMatchObject({ id: expect.any(String), declared: expect.any(String) });
    expect(report.mismatches[0]!.declared).not.toBe(report.mismatches[0]!.detected);
  }, 60_000);

  it("flags a declared language that disagrees with the text", () => {
    const rec = (id: string, language: string, instruction: string) => ({
      id,
      language,
      instruction,
      output: "",
      source: "t",
    });
    const report = languageReport([
      rec("1", "de", "Das ist ein ganz normaler deutscher Satz über das Wetter in Berlin."),
      rec("2", "fr", "This sentence is plainly written in English, not in French at all."),
    ]);
    expect(report.agree).toBe(1);
    expect(report.mismatches).toEqual([{ id: "2", declared: "fr", detected: "en" }]);
    expect(detectLanguage("これは日本語の文章です。今日はいい天気ですね。")).toBe("ja");
  });
});

describe("language from file names", () => {
  it("takes the last token when it is a language code", async () => {
    const { languageFromFileName } = await import("./language-tag.js");
    expect(languageFromFileName("/x/alpaca_fr.json")).toBe("fr");
    expect(languageFromFileName("part.de.jsonl.gz")).toBe("de");
    expect(languageFromFileName("xquad.zh.json")).toBe("zh");
    expect(languageFromFileName("alpaca_pt_BR.json")).toBe("pt-BR");
    expect(languageFromFileName("hi_there.json")).toBeNull();
    expect(languageFromFileName("alpaca_5000.json")).toBeNull();
  });
});
