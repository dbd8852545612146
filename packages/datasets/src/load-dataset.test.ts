import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { alignEnglish } from "./align.js";
import { loadDataset, loadDatasetWithSummary, streamDataset } from "./load-dataset.js";
import { readRecordsJsonl, writeRecordsJsonl } from "./records-jsonl.js";
import { InstructionRecordSchema, recordToMessages } from "./record.js";
import { dataPath, tempDir, XQUAD_LANGUAGES } from "./test-helpers.js";

describe("loaders on the bundled public data", () => {
  it("Alpaca 5000: every row, fields as in the file", async () => {
    const raw = JSON.parse(readFileSync(dataPath("alpaca/alpaca_5000.json"), "utf8")) as {
      instruction: string;
      input: string;
      output: string;
    }[];
    const { records, summary } = await loadDatasetWithSummary(dataPath("alpaca/alpaca_5000.json"), {
      format: "alpaca",
    });
    expect(records.length).toBe(5000);
    expect(summary).toMatchObject({ read: 5000, written: 5000, skipped: 0 });
    expect(summary.emptyOutput).toBe(raw.filter((r) => r.output === "").length);
    expect(records.map((r) => [r.instruction, r.input ?? "", r.output])).toEqual(
      raw.map((r) => [r.instruction, r.input, r.output]),
    );
    expect(new Set(records.map((r) => r.language))).toEqual(new Set(["en"]));
    expect(InstructionRecordSchema.safeParse(records[0]).success).toBe(true);
    expect(new Set(records.map((r) => r.id)).size).toBe(5000);
  });

  it("XQuAD x12: 14,280 QA records whose parallel_ids align all 12 languages", async () => {
    const records = await loadDataset(dataPath("xquad"));
    expect(records.length).toBe(14280);
    const byLang = new Map<string, Set<string>>();
    for (const r of records) {
      if (!byLang.has(r.language)) byLang.set(r.language, new Set());
      byLang.get(r.language)!.add(r.parallel_id!);
    }
    expect([...byLang.keys()].sort()).toEqual(XQUAD_LANGUAGES);
    const en = byLang.get("en")!;
    expect(en.size).toBe(1190);
    for (const ids of byLang.values()) expect([...ids].sort()).toEqual([...en].sort());
    const aligned = alignEnglish(
      records,
      records.filter((r) => r.language === "en"),
    );
    expect(aligned.pairs.length).toBe(13090);
    expect(aligned.missing).toEqual([]);
    for (const p of aligned.pairs.slice(0, 50)) expect(p.english.parallel_id).toBe(p.record.parallel_id);
    // A record: template + context, question as input, first answer as output, article as group.
    const raw = JSON.parse(readFileSync(dataPath("xquad/xquad.de.json"), "utf8"));
    const para = raw.data[1].paragraphs[0];
    const qa = para.qas[0];
    const rec = records.find((r) => r.language === "de" && r.parallel_id === qa.id)!;
    expect(rec.input).toBe(qa.question);
    expect(rec.output).toBe(qa.answers[0].text);
    expect(rec.instruction.endsWith(para.context)).toBe(true);
    expect(rec.group).toBe(raw.data[1].title);
    expect(rec.instruction).toContain("Beantworte");
  });

  it("MT-Bench, IFEval and the self-instruct seed tasks", async () => {
    const mt = await loadDataset(dataPath("mt_bench/question.jsonl"));
    expect(mt.length).toBe(80);
    expect(mt[0]!.parallel_id).toBe("81");
    expect(mt[0]!.id).toBe("mt_bench:81");
    expect(mt[0]!.group).toBe("writing");
    expect(mt[0]!.instruction).toMatch(/^Compose an engaging travel blog/);
    const ife = await loadDataset(dataPath("ifeval/input_data.jsonl"));
    expect(ife.length).toBe(540);
    expect(ife[0]!.id).toBe("ifeval:1000");
    expect(ife.every((r) => r.output === "" && r.instruction.length > 0)).toBe(true);
    const seeds = await loadDataset(dataPath("alpaca/seed_tasks.jsonl"));
    expect(seeds.length).toBe(175);
    expect(seeds[0]!.parallel_id).toBe("seed_task_0");
  });
});

describe("loaders on generated files", () => {
  it("openorca, sharegpt, messages; gzip; folders; field mappings", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "orca.jsonl"),
      `${JSON.stringify({ id: "niv.1", system_prompt: "Be brief.", question: "Q1?", response: "A1" })}\n\n` +
        `${JSON.stringify({ id: "niv.2", system_prompt: "", question: "Q2?", response: "A2" })}\n`,
    );
    const orca = await loadDataset(join(dir, "orca.jsonl"));
    expect(orca.map((r) => [r.id, r.system, r.instruction, r.output, r.parallel_id])).toEqual([
      ["niv.1", "Be brief.", "Q1?", "A1", "niv.1"],
      ["niv.2", undefined, "Q2?", "A2", "niv.2"],
    ]);
    expect(recordToMessages(orca[0]!)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Q1?" },
      { role: "assistant", content: "A1" },
    ]);
    const conv = [
      { from: "system", value: "S" },
      { from: "human", value: "Hi" },
      { from: "gpt", value: "Hello" },
      { from: "human", value: "More" },
      { from: "gpt", value: "Sure" },
    ];
    writeFileSync(join(dir, "chat.json"), JSON.stringify([{ id: "c1", conversations: conv }]));
    const [sg] = await loadDataset(join(dir, "chat.json"), { language: "en" });
    expect(sg!.system).toBe("S");
    expect(sg!.instruction).toBe("Hi");
    expect(sg!.output).toBe("Hello");
    expect(recordToMessages(sg!).map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    writeFileSync(
      join(dir, "msgs.jsonl.gz"),
      gzipSync(
        `${JSON.stringify({
          messages: [
            { role: "user", content: "Bonjour, comment allez-vous aujourd'hui ?" },
            { role: "assistant", content: "Très bien, merci beaucoup." },
          ],
        })}\n`,
      ),
    );
    const [m] = await loadDataset(join(dir, "msgs.jsonl.gz"));
    expect(m!.language).toBe("fr"); // detected
    expect(m!.output).toBe("Très bien, merci beaucoup.");
    writeFileSync(
      join(dir, "custom.jsonl"),
      `${JSON.stringify({ q: "What?", a: "That.", meta: { lang: "de" } })}\n`,
    );
    const [c] = await loadDataset(join(dir, "custom.jsonl"), {
      fields: { instruction: "q", output: "a", language: "meta.lang" },
    });
    expect([c!.instruction, c!.output, c!.language]).toEqual(["What?", "That.", "de"]);
  });

  it("multialpaca: language from a field, the file name, or detection", async () => {
    const dir = tempDir();
    const row = (i: string, o: string, extra = {}) => ({ instruction: i, input: "", output: o, ...extra });
    writeFileSync(
      join(dir, "alpaca_fr.json"),
      JSON.stringify([row("Donnez trois conseils pour rester en bonne santé.", "Mangez bien.")]),
    );
    writeFileSync(join(dir, "part.de.jsonl"), `${JSON.stringify(row("Nenne drei Tipps.", "Schlafen."))}\n`);
    writeFileSync(join(dir, "tagged.jsonl"), `${JSON.stringify(row("Hola", "Adiós", { lang: "es" }))}\n`);
    writeFileSync(
      join(dir, "untagged.jsonl"),
      `${JSON.stringify(row("Пожалуйста, объясните, почему небо голубое и как это связано со светом.", "Рассеяние."))}\n`,
    );
    const records = await loadDataset(dir, { format: "multialpaca" });
    expect(Object.fromEntries(records.map((r) => [r.source, r.language]))).toEqual({
      alpaca_fr: "fr",
      "part.de": "de",
      tagged: "es",
      untagged: "ru",
    });
  });

  it("streams a large JSON array and round-trips cftkit JSONL", async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 20000 }, (_, i) => ({
      instruction: `do ${i}`,
      input: i % 2 ? "x" : "",
      output: `done ${i} ✓`,
    }));
    writeFileSync(join(dir, "big.json"), JSON.stringify(rows, null, 2));
    const outputs: string[] = [];
    for await (const r of streamDataset(join(dir, "big.json"), { format: "alpaca" })) outputs.push(r.output);
    expect(outputs).toEqual(rows.map((r) => r.output));
    const records = await loadDataset(join(dir, "big.json"));
    await writeRecordsJsonl(join(dir, "out.jsonl"), records);
    expect(await readRecordsJsonl(join(dir, "out.jsonl"))).toEqual(records);
  });
});
