// Cross-check of Punkt and word_tokenize against the real NLTK when an interpreter with nltk is installed
// (e.g. Debian's python3-nltk 3.8); skipped otherwise. PunktParameters are filled from
// packages/metrics/data/punkt_tab/english/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { looseVariants } from "./evaluate.js";
import { readIfevalInputs, readIfevalResponses } from "./files.js";
import { sentTokenize } from "./punkt.js";
import "./punkt-files.js";
import { wordTokenize } from "./word-tokenize.js";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const pythonWithNltk = ["python3", "/usr/bin/python3"].find(
  (py) =>
    spawnSync(py, ["-c", "import nltk.tokenize.punkt, nltk.tokenize.destructive"], { encoding: "utf8" })
      .status === 0,
);
const tmp = mkdtempSync(join(tmpdir(), "cftkit-nltk-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!pythonWithNltk)("Punkt and word_tokenize vs the installed NLTK", () => {
  it("split IFEval responses and loose variants into the same sentences and word tokens", async () => {
    const inputs = await readIfevalInputs(join(repo, "data/ifeval/input_data.jsonl"));
    const responses = await readIfevalResponses(join(repo, "data/ifeval/input_response_data_gpt4.jsonl"));
    // Every response, plus every loose variant of the first 60 (the whole set takes ~30 s on 2 cores).
    const texts = [
      ...new Set([
        ...inputs.map((i) => responses.get(i.prompt)!),
        ...inputs.slice(0, 60).flatMap((i) => looseVariants(responses.get(i.prompt)!)),
      ]),
    ];
    const file = join(tmp, "texts.json");
    writeFileSync(file, JSON.stringify(texts));
    const r = spawnSync(pythonWithNltk!, [join(repo, "tools/reference/nltk_punkt_check.py"), file], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as { sentences: string[]; words: string[] }[];
    let sentenceDiffs = 0;
    let wordDiffs = 0;
    for (const [i, text] of texts.entries()) {
      if (JSON.stringify(sentTokenize(text)) !== JSON.stringify(ref[i]!.sentences)) sentenceDiffs++;
      if (JSON.stringify(wordTokenize(text)) !== JSON.stringify(ref[i]!.words)) wordDiffs++;
    }
    expect(texts.length).toBeGreaterThan(700);
    expect({ sentenceDiffs, wordDiffs }).toEqual({ sentenceDiffs: 0, wordDiffs: 0 });
  }, 60_000);
});
