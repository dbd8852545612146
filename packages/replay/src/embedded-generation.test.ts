import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedGenerator } from "./generators.js";
import { runGenerativeReplayFiles } from "./replay-files.js";

/**
 * GR end to end with the embedded model. A freshly initialised tiny model produces gibberish: this checks the
 * pipeline (selection → chat template → generate → filters → records with provenance → manifest), not quality.
 */
const ALPACA = fileURLToPath(new URL("../../../data/alpaca/alpaca_5000.json", import.meta.url));

let dir: string;
let model: CausalLM;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-gr-embedded-"));
  model = await CausalLM.init({ preset: "tiny", seed: 0 });
});
afterAll(() => {
  model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("GR with the embedded model (tiny random checkpoint)", () => {
  it("generates responses for Alpaca instructions with records, provenance and a manifest", async () => {
    const run = (outDir: string) =>
      runGenerativeReplayFiles({
        english: ALPACA,
        count: 6,
        seed: 4,
        outDir,
        generator: embeddedGenerator(model, {
          modelName: "init:tiny:seed=0",
          maxTokens: 12,
          batchSize: 3,
          seed: 4,
        }),
        // A random model never stops by itself and writes no language: keep what it writes.
        filters: { truncated: false, language: null, refusal: false, empty: false },
      });
    const { summary, manifest } = await run(join(dir, "a"));
    expect(summary.requested).toBe(6);
    expect(summary.accepted).toBe(6);
    expect(manifest.status).toBe("complete");
    const records = readFileSync(join(dir, "a/replay.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBe(6);
    const alpaca = JSON.parse(readFileSync(ALPACA, "utf8")) as {
      instruction: string;
      input: string;
      output: string;
    }[];
    for (const r of records) {
      expect(typeof r.output).toBe("string");
      const original = alpaca[Number(String(r.id).split(":")[1])]!;
      expect(r.instruction).toBe(original.instruction); // the English instruction…
      expect(r.output).not.toBe(original.output); // …with a generated, not the original, response
      expect(r.provenance).toMatchObject({
        generator: "embedded",
        model: "init:tiny:seed=0",
        promptTemplate: "tokenizer",
        sampling: { maxTokens: 12, temperature: 0, topP: 1 },
      });
      expect(["stop", "length"]).toContain((r.provenance as { finishReason: string }).finishReason);
    }
    // The same as calling the model directly (greedy) on the same conversation.
    const first = records[0]!;
    const original = alpaca[Number(String(first.id).split(":")[1])]!;
    const user = original.input ? `${original.instruction}\n\n${original.input}` : original.instruction;
    const [direct] = await model.generate([[{ role: "user", content: user }]], { maxNewTokens: 12 });
    expect(first.output).toBe(direct!.text.trim());
    // Reproducible: a second run in another folder writes the same records (apart from the time).
    await run(join(dir, "b"));
    const strip = (path: string) =>
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => {
          const r = JSON.parse(l) as { provenance: { generatedAt?: string } };
          delete r.provenance.generatedAt;
          return r;
        });
    expect(strip(join(dir, "b/replay.jsonl"))).toEqual(strip(join(dir, "a/replay.jsonl")));
    expect(readFileSync(join(dir, "b/manifest.json"), "utf8")).toBe(
      readFileSync(join(dir, "a/manifest.json"), "utf8"),
    );
  });
});
