import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import {
  exportAxolotl,
  type InstructionRecord,
  loadDataset,
  recordToMessages,
  sampleRecords,
  writeRecordsJsonl,
} from "@cftkit/datasets";
import { XQUAD_LANGUAGES } from "@cftkit/evaluation";
import type { QuickstartPair, QuickstartSizes } from "./quickstart-profile.js";

/** Where the quickstart's prepared data files are, relative to the run folder. */
export interface QuickstartData {
  phase2Chat: string;
  phase2Records: string;
  english: string;
  phase1: Record<QuickstartPair, { chat: string; records: string; description: string }>;
  heldout: string;
  heldoutAlpaca: string;
  qa: string;
  driftPrompts: string;
  counts: Record<string, number>;
  evalArticles: string[];
}

/** Sentence boundaries for the 12 XQuAD scripts (Latin/Greek/Cyrillic, Arabic, Devanagari, Thai, CJK). */
const SENTENCE_END = /(?<=[.!?؟।။。！？])\s+|(?<=[。！？])/u;

/**
 * XQuAD paragraphs run to 150 words: far more tokens than a byte-level tiny model trains on in minutes.
 * The quickstart keeps, of each record's context, the sentence that holds the answer (the whole context
 * when no single sentence does), so every QA instruction stays answerable from its own text.
 */
export function shortenQaRecord(record: InstructionRecord): InstructionRecord {
  const split = record.instruction.indexOf("\n\n");
  if (split < 0) return record;
  const header = record.instruction.slice(0, split);
  const context = record.instruction.slice(split + 2);
  const sentence = context.split(SENTENCE_END).find((s) => s.includes(record.output));
  return sentence ? { ...record, instruction: `${header}\n\n${sentence.trim()}` } : record;
}

async function writeChat(path: string, records: InstructionRecord[]): Promise<void> {
  await exportAxolotl(records, { type: "chat_template", out: path });
}

/** Where the quickstart writes its data, relative to the run folder. */
const FILES = {
  phase2Chat: "data/phase2.chat.jsonl",
  phase2Records: "data/phase2.records.jsonl",
  english: "data/english-counterpart.records.jsonl",
  phase1: {
    similar: {
      chat: "data/phase1-xquad-en.chat.jsonl",
      records: "data/phase1-xquad-en.records.jsonl",
      description: "XQuAD-en QA",
    },
    mixed: {
      chat: "data/phase1-mixed.chat.jsonl",
      records: "data/phase1-mixed.records.jsonl",
      description: "XQuAD-en QA + Alpaca, half each",
    },
    dissimilar: {
      chat: "data/phase1-alpaca.chat.jsonl",
      records: "data/phase1-alpaca.records.jsonl",
      description: "Alpaca",
    },
  },
  heldout: "data/heldout-xquad.jsonl",
  heldoutAlpaca: "data/heldout-alpaca.jsonl",
  qa: "data/qa-eval.jsonl",
  driftPrompts: "data/mt-bench-questions.jsonl",
} as const;

type Unseen = { articles: string[]; firstAlpacaRow: number };

/** XQuAD QA records per language, each cut to the sentence that holds its answer. */
async function qaRecordsByLanguage(dataDir: string): Promise<Map<string, InstructionRecord[]>> {
  const byLanguage = new Map<string, InstructionRecord[]>();
  for (const lang of XQUAD_LANGUAGES) {
    const records = await loadDataset(join(dataDir, "xquad", `xquad.${lang}.json`), {
      format: "squad",
      language: lang,
    });
    byLanguage.set(lang, records.map(shortenQaRecord));
  }
  return byLanguage;
}

/** The held-out articles, drawn once from the English titles (which every language shares). */
function drawEvalArticles(
  english: InstructionRecord[],
  count: number,
  seed: number,
  unseen?: Unseen,
): string[] {
  const articles = [...new Set(english.map((r) => r.group ?? r.id))]
    .filter((a) => !unseen || unseen.articles.includes(a))
    .sort();
  return sampleRecords(
    articles.map((a) => ({ id: a, language: "en", instruction: a, output: a, source: "articles" })),
    { count, seed },
  )
    .map((r) => r.id)
    .sort();
}

/** Held-out likelihood rows and QA items of every language, from the held-out articles only. */
function evaluationItems(
  evalOf: (lang: string) => InstructionRecord[],
  sizes: QuickstartSizes,
  seed: number,
) {
  const heldout = XQUAD_LANGUAGES.flatMap((lang) =>
    sampleRecords(evalOf(lang), { count: sizes.heldoutPerLanguage, seed: seed + 4 }).map((r) => ({
      id: r.id,
      language: lang,
      messages: recordToMessages(r),
    })),
  );
  // English gets more QA items: xquad_f1/en is one of EA's generative measures (MA averages 11 languages).
  const qaCount = (lang: string) =>
    lang === "en" ? (sizes.qaEnglish ?? sizes.qaPerLanguage) : sizes.qaPerLanguage;
  const qa = XQUAD_LANGUAGES.flatMap((lang) =>
    sampleRecords(evalOf(lang), { count: qaCount(lang), seed: seed + 5 }).map((r) => ({
      id: r.id,
      language: lang,
      // The prompt turns only: with an empty output recordToMessages adds no assistant turn.
      messages: recordToMessages({ ...r, output: "" }),
      answers: [r.output],
    })),
  );
  return { heldout, qa };
}

/** The Alpaca rows: the dissimilar Phase 1, and held-out instructions no Phase-1 set (nor the base) saw. */
async function alpacaSets(dataDir: string, sizes: QuickstartSizes, seed: number, unseen?: Unseen) {
  const alpaca = await loadDataset(join(dataDir, "alpaca", "alpaca_5000.json"), {
    format: "alpaca",
    language: "en",
  });
  const dissimilar = sampleRecords(alpaca, { count: sizes.phase1Records, seed: seed + 3 });
  // General English instruction following (the paper's EA is IFEval/AlpacaEval-like).
  const trained = new Set(dissimilar.map((r) => r.id));
  const heldout = sampleRecords(
    alpaca.filter(
      (r, i) => !trained.has(r.id) && r.output.length > 0 && (!unseen || i >= unseen.firstAlpacaRow),
    ),
    { count: sizes.heldoutAlpaca ?? sizes.heldoutPerLanguage * 2, seed: seed + 6 },
  ).map((r) => ({ id: r.id, language: "en", messages: recordToMessages(r) }));
  return { dissimilar, heldout };
}

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

/**
 * Build the quickstart's data from the bundled public sets, mirroring the paper's phase pairs:
 * Phase 2 = XQuAD QA instructions in the 11 non-English languages, English counterpart = XQuAD-en;
 * Phase 1 = XQuAD-en QA instructions (similar pair), Alpaca (dissimilar pair), or half of each (mixed pair,
 * when the profile has it: a third point for DES against forgetting). Evaluation uses whole
 * held-out articles, so no evaluation paragraph is trained on.
 */
export async function prepareQuickstartData(
  dataDir: string,
  outDir: string,
  sizes: QuickstartSizes,
  seed: number,
  /** What a pre-trained base never saw: evaluation draws only from these articles and Alpaca rows. */
  unseen?: Unseen,
): Promise<QuickstartData> {
  const byLanguage = await qaRecordsByLanguage(dataDir);
  const evalArticles = drawEvalArticles(byLanguage.get("en")!, sizes.evalArticles, seed, unseen);
  const held = new Set(evalArticles);
  const trainOf = (lang: string) => byLanguage.get(lang)!.filter((r) => !held.has(r.group ?? ""));
  const evalOf = (lang: string) => byLanguage.get(lang)!.filter((r) => held.has(r.group ?? ""));

  // Each language draws its own items (seed per language), as MultiAlpaca's languages cover different tasks.
  const phase2 = XQUAD_LANGUAGES.filter((l) => l !== "en").flatMap((lang, i) =>
    sampleRecords(trainOf(lang), { count: sizes.phase2PerLanguage, seed: seed + 100 + i }),
  );
  const english = trainOf("en");
  const similar = sampleRecords(english, { count: sizes.phase1Records, seed: seed + 2 });
  const alpaca = await alpacaSets(dataDir, sizes, seed, unseen);
  const dissimilar = alpaca.dissimilar;
  // Between the two: the first half of each sample, the same number of records.
  const half = Math.floor(sizes.phase1Records / 2);
  const mixed = [...similar.slice(0, half), ...dissimilar.slice(0, sizes.phase1Records - half)];
  const { heldout, qa } = evaluationItems(evalOf, sizes, seed);

  const phase1 = { similar, mixed, dissimilar };
  for (const pair of sizes.pairs) {
    await writeChat(join(outDir, FILES.phase1[pair].chat), phase1[pair]);
    await writeRecordsJsonl(join(outDir, FILES.phase1[pair].records), phase1[pair]);
  }
  await writeChat(join(outDir, FILES.phase2Chat), phase2);
  await writeRecordsJsonl(join(outDir, FILES.phase2Records), phase2);
  await writeRecordsJsonl(join(outDir, FILES.english), english);
  await writeFileAtomic(join(outDir, FILES.heldout), jsonl(heldout));
  await writeFileAtomic(join(outDir, FILES.heldoutAlpaca), jsonl(alpaca.heldout));
  await writeFileAtomic(join(outDir, FILES.qa), jsonl(qa));
  await writeFileAtomic(
    join(outDir, FILES.driftPrompts),
    await readFile(join(dataDir, "mt_bench", "question.jsonl")),
  );
  return {
    ...FILES,
    counts: {
      phase2: phase2.length,
      english: english.length,
      ...Object.fromEntries(sizes.pairs.map((pair) => [`phase1_${pair}`, phase1[pair].length])),
      heldout: heldout.length,
      heldout_alpaca: alpaca.heldout.length,
      qa: qa.length,
    },
    evalArticles,
  };
}
