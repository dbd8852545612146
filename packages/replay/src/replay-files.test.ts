import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OpenAICompatibleClient } from "@cftkit/core";
import { startFaultServer } from "@cftkit/core/testing";
import { type InstructionRecord, loadDataset, writeRecordsJsonl } from "@cftkit/datasets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIChatGenerator } from "./generators.js";
import { mixReplayFiles, runEnglishReplay, runGenerativeReplayFiles } from "./replay-files.js";
import { selectReplayItems } from "./replay-selection.js";

const data = (p: string) => fileURLToPath(new URL(`../../../data/${p}`, import.meta.url));
const XQUAD_DE = data("xquad/xquad.de.json");
const XQUAD_EN = data("xquad/xquad.en.json");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-replay-files-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rec(id: string, language: string, instruction: string, parallel_id?: string): InstructionRecord {
  return {
    id,
    language,
    instruction,
    output: `out ${id}`,
    source: "t",
    ...(parallel_id ? { parallel_id } : {}),
  };
}

describe("selectReplayItems", () => {
  it("takes each English counterpart once, leaves evaluation items out, samples round(ratio × |Phase 2|)", () => {
    const english = Array.from({ length: 40 }, (_, i) =>
      rec(`en${i}`, "en", `Task number ${i}: do it.`, `p${i}`),
    );
    // Two Phase-2 languages per item (MultiAlpaca-like), plus 3 records without a counterpart.
    const phase2 = [
      ...english.flatMap((_e, i) => [
        rec(`de${i}`, "de", `Aufgabe ${i}`, `p${i}`),
        rec(`fr${i}`, "fr", `Tâche ${i}`, `p${i}`),
      ]),
      rec("x1", "de", "orphan", "nope1"),
      rec("x2", "de", "orphan", "nope2"),
      rec("x3", "fr", "orphan"),
    ];
    const exclude = [
      rec("en0", "en", "something else"), // by id
      rec("eval-1", "en", "other", "p1"), // by parallel_id
      rec("eval-2", "en", "  TASK number 2 -- do it!! "), // by normalised instruction
    ];
    const sel = selectReplayItems(phase2, english, { ratio: 0.2, seed: 5, exclude });
    expect(sel.phase2Size).toBe(83);
    expect(sel.target).toBe(Math.round(0.2 * 83));
    expect(sel.records.length).toBe(17);
    expect(sel.available).toBe(40);
    expect(sel.missingEnglish).toBe(3);
    expect(sel.excluded).toEqual({ total: 3, byId: 1, byParallelId: 1, byInstruction: 1 });
    const ids = sel.records.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const bad of ["en0", "en1", "en2"]) expect(ids).not.toContain(bad);
    expect(selectReplayItems(phase2, english, { ratio: 0.2, seed: 5, exclude }).records).toEqual(sel.records);
    expect(selectReplayItems(phase2, english, { ratio: 0.2, seed: 6, exclude }).records).not.toEqual(
      sel.records,
    );
    // Asking for more than is left: everything left, and the shortfall is reported.
    const all = selectReplayItems(phase2, english, { count: 50, seed: 1, exclude });
    expect(all.records.length).toBe(37);
    expect(all.shortfall).toBe(13);
  });
});

describe("English replay and mixing on XQuAD (de Phase 2, en counterpart)", () => {
  it("is reproducible, excludes evaluation items and mixes with correct counts", async () => {
    const en = await loadDataset(XQUAD_EN);
    const evalPath = join(dir, "eval.jsonl");
    // An evaluation set overlapping the English data: 100 items by id (their instructions match too).
    await writeRecordsJsonl(evalPath, en.slice(0, 100));
    const args = { phase2: XQUAD_DE, english: XQUAD_EN, exclude: [evalPath], ratio: 0.1, seed: 11 };
    const a = await runEnglishReplay({ ...args, outDir: join(dir, "er-a") });
    const b = await runEnglishReplay({ ...args, outDir: join(dir, "er-b") });
    const c = await runEnglishReplay({ ...args, seed: 12, outDir: join(dir, "er-c") });
    expect(a.selection.phase2Size).toBe(1190);
    expect(a.output.rows).toBe(119);
    expect(a.selection.excluded.total).toBe(100);
    expect(readFileSync(join(dir, "er-a/replay.jsonl"), "utf8")).toBe(
      readFileSync(join(dir, "er-b/replay.jsonl"), "utf8"),
    );
    expect(readFileSync(join(dir, "er-a/manifest.json"), "utf8")).toBe(
      readFileSync(join(dir, "er-b/manifest.json"), "utf8"),
    );
    expect(b.output.sha256).toBe(a.output.sha256);
    expect(c.output.sha256).not.toBe(a.output.sha256);
    expect(a.inputs.english.sha256).toMatch(/^[0-9a-f]{64}$/);

    const replay = await loadDataset(join(dir, "er-a/replay.jsonl"), { format: "cftkit" });
    expect(replay.length).toBe(119);
    const excludedIds = new Set(en.slice(0, 100).map((r) => r.id));
    const enById = new Map(en.map((r) => [r.id, r]));
    for (const r of replay) {
      expect(excludedIds.has(r.id)).toBe(false);
      expect(r.language).toBe("en");
      expect(r.output).toBe(enById.get(r.id)!.output); // ER keeps the original responses
      expect(r.source).toBe(`replay-er:${enById.get(r.id)!.source}`);
    }
    expect(a.counts.byLanguage).toEqual({ en: 119 });

    const mixOut = join(dir, "mix/train.jsonl");
    const m1 = await mixReplayFiles({
      phase2: XQUAD_DE,
      replay: [join(dir, "er-a/replay.jsonl")],
      seed: 3,
      out: mixOut,
    });
    const m2 = await mixReplayFiles({
      phase2: XQUAD_DE,
      replay: [join(dir, "er-b/replay.jsonl")],
      seed: 3,
      out: join(dir, "mix2/train.jsonl"),
    });
    expect(m2.output.sha256).toBe(m1.output.sha256);
    // A @cftkit/datasets output layout names the same format: axolotl-chat is chat_template.
    const m3 = await mixReplayFiles({
      phase2: XQUAD_DE,
      replay: [join(dir, "er-a/replay.jsonl")],
      seed: 3,
      out: join(dir, "mix3/train.jsonl"),
      format: "axolotl-chat",
    });
    expect(m3.format).toBe("chat_template");
    expect(m3.axolotlDatasetEntry).toMatchObject({ type: "chat_template" });
    expect(m1.counts.total).toBe(1309);
    expect(m1.counts.byOrigin).toEqual({ phase2: 1190, replay: 119 });
    expect(m1.counts.byLanguage).toEqual({ de: 1190, en: 119 });
    expect(m1.replayRatio).toBeCloseTo(0.1, 2);
    expect(JSON.parse(readFileSync(join(dir, "mix/train.manifest.json"), "utf8"))).toEqual(m1);

    // The mixed file loads in @cftkit/datasets with the counts the manifest claims.
    const mixed = await loadDataset(mixOut, { format: "messages" });
    expect(mixed.length).toBe(1309);
    const byLang: Record<string, number> = {};
    for (const r of mixed) byLang[r.language] = (byLang[r.language] ?? 0) + 1;
    expect(byLang).toEqual({ de: 1190, en: 119 });
    // Shuffled: the replay rows are spread out, not appended.
    const lines = readFileSync(mixOut, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { language: string });
    const firstEn = lines.findIndex((l) => l.language === "en");
    expect(firstEn).toBeLessThan(1190);
    expect(lines.slice(0, 600).filter((l) => l.language === "en").length).toBeGreaterThan(20);
  });

  it("GR over files records the selection in the manifest and refuses a changed selection on resume", async () => {
    const server = await startFaultServer();
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "phase1" });
      const base = { phase2: XQUAD_DE, english: XQUAD_EN, ratio: 0.05, seed: 0, outDir: join(dir, "gr") };
      const { summary, manifest } = await runGenerativeReplayFiles({
        ...base,
        generator: openAIChatGenerator(client, { maxTokens: 128 }),
        filters: { language: null },
      });
      expect(summary.requested).toBe(Math.round(0.05 * 1190));
      expect(manifest.status).toBe("complete");
      expect(manifest.output!.accepted).toBe(60);
      expect(manifest.selection.mode).toBe("twins");
      // The same selection as ER with the same seed and ratio.
      const er = await runEnglishReplay({ ...base, outDir: join(dir, "gr-er") });
      const erIds = (await loadDataset(join(dir, "gr-er/replay.jsonl"), { format: "cftkit" }))
        .map((r) => r.id)
        .sort();
      const grIds = (await loadDataset(join(dir, "gr/replay.jsonl"), { format: "cftkit" }))
        .map((r) => r.id)
        .sort();
      expect(er.output.rows).toBe(60);
      expect(grIds.every((id) => erIds.includes(id))).toBe(true);
      await expect(
        runGenerativeReplayFiles({
          ...base,
          seed: 1,
          generator: openAIChatGenerator(client, { maxTokens: 128 }),
          filters: { language: null },
        }),
      ).rejects.toMatchObject({ code: "REPLAY_SELECTION_CHANGED" });
    } finally {
      await server.close();
    }
  });
});
