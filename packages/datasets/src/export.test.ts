import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportAxolotl, exportEmbedded } from "./export.js";
import { loadDataset } from "./load-dataset.js";
import { createLoadSummary } from "./load-summary.js";
import type { InstructionRecord } from "./record.js";
import { dataPath, tempDir } from "./test-helpers.js";

const schema = JSON.parse(readFileSync(dataPath("axolotl_schema.json"), "utf8")) as {
  dataset_keys: string[];
  dataset_types_builtin: unknown;
  deprecated_values: Record<string, string>;
};

function lines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

const records: InstructionRecord[] = [
  {
    id: "a",
    language: "fr",
    instruction: "Traduis",
    input: "cat",
    output: "chat",
    source: "t",
    system: "Sois bref.",
  },
  { id: "b", language: "en", instruction: "Say hi", output: "hi", source: "t" },
  {
    id: "c",
    language: "en",
    instruction: "Q1",
    output: "A1",
    source: "t",
    messages: [
      { role: "user", content: "Q1" },
      { role: "assistant", content: "A1" },
      { role: "user", content: "Q2" },
      { role: "assistant", content: "A2" },
    ],
  },
];

describe("export", () => {
  it("Axolotl alpaca rows and a datasets entry whose keys Axolotl 0.18 accepts", async () => {
    const out = join(tempDir(), "alpaca.jsonl");
    const result = await exportAxolotl(records, { type: "alpaca", out });
    expect(result.rows).toBe(3);
    expect(lines(out)).toEqual([
      { instruction: "Traduis", input: "cat", output: "chat" },
      { instruction: "Say hi", input: "", output: "hi" },
      { instruction: "Q1", input: "", output: "A1" },
    ]);
    expect(result.datasetEntry).toEqual({ path: out, type: "alpaca", ds_type: "json" });
    for (const key of Object.keys(result.datasetEntry)) expect(schema.dataset_keys).toContain(key);
    expect(JSON.stringify(schema.dataset_types_builtin)).toContain('"alpaca"');
  });

  it("Axolotl chat_template rows (messages) and its entry; no deprecated keys", async () => {
    const out = join(tempDir(), "chat.jsonl");
    const result = await exportAxolotl(records, { type: "chat_template", out });
    const rows = lines(out) as { messages: { role: string; content: string }[] }[];
    expect(rows[0]!.messages).toEqual([
      { role: "system", content: "Sois bref." },
      { role: "user", content: "Traduis\n\ncat" },
      { role: "assistant", content: "chat" },
    ]);
    expect(rows[2]!.messages.length).toBe(4);
    expect(result.datasetEntry).toEqual({
      path: out,
      type: "chat_template",
      ds_type: "json",
      field_messages: "messages",
      message_property_mappings: { role: "role", content: "content" },
    });
    for (const key of Object.keys(result.datasetEntry)) expect(schema.dataset_keys).toContain(key);
    const deprecated = Object.keys(schema.deprecated_values).join(" ");
    expect(deprecated).toContain("message_field_role");
    expect(Object.keys(result.datasetEntry)).not.toContain("message_field_role");
    expect(JSON.stringify(schema.dataset_types_builtin)).toContain('"chat_template"');
  });

  it("embedded trainer input: {id, language, messages}, same messages as chat_template", async () => {
    const dir = tempDir();
    const xquad = await loadDataset(dataPath("xquad/xquad.th.json"));
    expect((await exportEmbedded(xquad, join(dir, "emb.jsonl"))).rows).toBe(1190);
    await exportAxolotl(xquad, { type: "chat_template", out: join(dir, "chat.jsonl") });
    const emb = lines(join(dir, "emb.jsonl")) as { id: string; language: string; messages: unknown[] }[];
    const chat = lines(join(dir, "chat.jsonl")) as { messages: unknown[] }[];
    expect(Object.keys(emb[0]!)).toEqual(["id", "language", "messages"]);
    expect(emb[0]!.language).toBe("th");
    expect(emb.map((e) => e.messages)).toEqual(chat.map((c) => c.messages));
  });
});

describe("training exports skip records without a response", () => {
  it("moves them from written to skipped (DATA_EMPTY_OUTPUT), so read = written + skipped", async () => {
    const base = { language: "en", source: "t", input: "" };
    const records = [
      { ...base, id: "1", instruction: "a", output: "x" },
      { ...base, id: "2", instruction: "b", output: "" },
      { ...base, id: "3", instruction: "c", output: "   " },
      { ...base, id: "4", instruction: "d", output: "y" },
    ];
    const summary = { ...createLoadSummary(), read: 4, written: 4 };
    const out = join(tempDir("trainable"), "emb.jsonl");
    const result = await exportEmbedded(records, out, { summary });
    expect(result).toEqual({ rows: 2, skippedEmpty: 2 });
    expect(summary).toMatchObject({ read: 4, written: 2, skipped: 2, reasons: { DATA_EMPTY_OUTPUT: 2 } });
    expect(summary.issues.map((i) => i.message)).toEqual([
      expect.stringContaining("record 2"),
      expect.stringContaining("record 3"),
    ]);
  });
});
