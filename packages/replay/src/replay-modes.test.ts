import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OpenAICompatibleClient } from "@cftkit/core";
import { startFaultServer } from "@cftkit/core/testing";
import { loadDataset } from "@cftkit/datasets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIChatGenerator } from "./generators.js";
import { runEnglishReplay, runGenerativeReplayFiles } from "./replay-files.js";

// The paper's main setting (Table 5): Phase 2 = MultiAlpaca, English counterpart = Alpaca. The two share no ids.
const ALPACA = fileURLToPath(new URL("../../../data/alpaca/alpaca_5000.json", import.meta.url));
const PHASE2_SIZE = 330; // round(0.05 × 330) = 17 (16.5 rounds up), round(0.10 × 330) = 33
const LANGUAGES = ["de", "es", "fr", "ja", "zh", "ar"];

let dir: string;
let phase2: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-replay-modes-"));
  // MultiAlpaca's layout: one JSON object per line with instruction, input, output and `lang`.
  phase2 = join(dir, "multialpaca.jsonl");
  const rows = Array.from({ length: PHASE2_SIZE }, (_, i) => ({
    instruction: `Aufgabe ${i}: beschreibe einen Baum in ${LANGUAGES[i % LANGUAGES.length]}.`,
    input: i % 3 === 0 ? `Kontext ${i}` : "",
    output: `Antwort ${i}`,
    lang: LANGUAGES[i % LANGUAGES.length],
  }));
  writeFileSync(phase2, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = async (file: string) => (await loadDataset(file, { format: "cftkit" })).map((r) => r.id).sort();

describe("replay for MultiAlpaca ↔ Alpaca (no shared ids: the counterpart dataset is sampled)", () => {
  it("ER_10 gives round(0.10 × |Phase 2|) Alpaca records with their original responses", async () => {
    const m = await runEnglishReplay({
      phase2,
      english: ALPACA,
      ratio: 0.1,
      seed: 7,
      outDir: join(dir, "er"),
    });
    expect(m.selection.mode).toBe("counterpart");
    expect(m.selection.modeReason).toMatch(/no Phase-2 record shares a parallel_id/);
    expect(m.selection.phase2Size).toBe(PHASE2_SIZE);
    expect(m.output.rows).toBe(33);
    expect(m.status).toBe("complete");
    const alpaca = new Map((await loadDataset(ALPACA)).map((r) => [r.id, r]));
    for (const r of await loadDataset(join(dir, "er/replay.jsonl"), { format: "cftkit" })) {
      expect(r.output).toBe(alpaca.get(r.id)!.output);
    }
  });

  it("GR_5 through a real server gives exactly round(0.05 × |Phase 2|) records, topping up when the filters drop some", async () => {
    // A quarter of the prompts get an empty answer, which the empty filter rejects.
    const empty = (prompt: string) => createHash("sha256").update(prompt).digest()[0]! % 4 === 0;
    const server = await startFaultServer({
      respond: (p) => (empty(p) ? "" : `An answer to: ${p.slice(0, 40)}`),
    });
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "phase1" });
      const generator = openAIChatGenerator(client, { maxTokens: 64 });
      const args = { phase2, english: ALPACA, ratio: 0.05, seed: 3, generator };
      const { manifest } = await runGenerativeReplayFiles({
        ...args,
        outDir: join(dir, "gr5"),
        filters: { empty: true },
      });
      expect(manifest.selection.mode).toBe("counterpart");
      expect(manifest.status).toBe("complete");
      expect(manifest.output).toMatchObject({ target: 17, accepted: 17, shortfall: 0 });
      expect(manifest.output!.toppedUp).toBeGreaterThan(0);
      expect(manifest.output!.tried).toBe(17 + manifest.output!.toppedUp);
      const rejected = Object.values(manifest.output!.rejected).reduce((a, b) => a + b, 0);
      expect(rejected).toBe(manifest.output!.toppedUp);
      expect(manifest.output!.rejected.empty).toBeGreaterThan(0);
      const lines = readFileSync(join(dir, "gr5/replay.jsonl"), "utf8").trim().split("\n");
      expect(lines.length).toBe(17);

      // With no filtering (the paper's setting), GR_10 takes exactly ER_10's items.
      const gr10 = await runGenerativeReplayFiles({
        ...args,
        ratio: 0.1,
        seed: 7,
        outDir: join(dir, "gr10"),
        filters: { empty: false, truncated: false, refusal: false, language: null },
      });
      expect(gr10.manifest.output).toMatchObject({ accepted: 33, toppedUp: 0 });
      expect(await ids(join(dir, "gr10/replay.jsonl"))).toEqual(await ids(join(dir, "er/replay.jsonl")));
    } finally {
      await server.close();
    }
  });

  it("a partial shortfall is reported (status short); a total one is an error naming its cause", async () => {
    const small = join(dir, "alpaca_small.json");
    const alpaca = JSON.parse(readFileSync(ALPACA, "utf8")) as unknown[];
    writeFileSync(small, JSON.stringify(alpaca.slice(0, 20)));
    const short = await runEnglishReplay({
      phase2,
      english: small,
      ratio: 0.1,
      seed: 0,
      outDir: join(dir, "short"),
    });
    expect(short.status).toBe("short");
    expect(short.selection).toMatchObject({ target: 33, selected: 20, shortfall: 13 });

    await expect(
      runEnglishReplay({
        phase2,
        english: ALPACA,
        ratio: 0.1,
        seed: 0,
        mode: "twins",
        outDir: join(dir, "t"),
      }),
    ).rejects.toMatchObject({
      code: "REPLAY_NO_CANDIDATES",
      message: expect.stringMatching(/no twins found/),
    });
    // All candidates excluded as evaluation items.
    await expect(
      runEnglishReplay({
        phase2,
        english: small,
        exclude: [small],
        ratio: 0.1,
        seed: 0,
        outDir: join(dir, "x"),
      }),
    ).rejects.toMatchObject({
      code: "REPLAY_NO_CANDIDATES",
      message: expect.stringMatching(/English set too small: all 20 candidates are in the evaluation sets/),
    });
  });

  it("a ratio without the Phase-2 set is refused; a count samples the English set alone", async () => {
    await expect(
      runEnglishReplay({ english: ALPACA, ratio: 0.1, seed: 0, outDir: join(dir, "r") }),
    ).rejects.toMatchObject({ code: "REPLAY_RATIO_NEEDS_PHASE2" });
    const m = await runEnglishReplay({ english: ALPACA, count: 12, seed: 0, outDir: join(dir, "c") });
    expect(m.selection).toMatchObject({ mode: "counterpart", phase2Size: null, selected: 12 });
  });
});
