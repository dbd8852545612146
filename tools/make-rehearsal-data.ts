// Writes examples/rehearsal/data/ — the data of examples/axolotl-rehearsal.yaml — from the bundled public
// sets (data/alpaca, data/xquad), with the quickstart's own preparation (held-out XQuAD articles for
// evaluation, QA contexts cut to the answer's sentence). Run: npx tsx --conditions=source tools/make-rehearsal-data.ts
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { QUICKSTART_PROFILES, bundledDataDir } from "../packages/runner/src/index.js";
import { prepareQuickstartData } from "../packages/runner/src/quickstart-data.js";

const root = fileURLToPath(new URL("../examples/rehearsal/", import.meta.url));
const sizes = {
  ...QUICKSTART_PROFILES.fast,
  phase1Records: 32,
  phase2PerLanguage: 4,
  heldoutPerLanguage: 1,
  qaPerLanguage: 1,
};
const data = await prepareQuickstartData(bundledDataDir(), root, sizes, 42);

// Keep only the English counterparts of the Phase-2 records (what ER and GR read), not all of XQuAD-en.
const lines = async (p: string) => (await readFile(join(root, p), "utf8")).split("\n").filter(Boolean);
const wanted = new Set(
  (await lines(data.phase2Records)).map((l) => (JSON.parse(l) as { parallel_id?: string }).parallel_id),
);
const english = (await lines(data.english)).filter((l) =>
  wanted.has((JSON.parse(l) as { parallel_id?: string }).parallel_id),
);
await writeFile(join(root, data.english), `${english.join("\n")}\n`);
// Held-out records and QA prompts must fit the tiny model's 2048 positions: a server (cftkit lm serve, vLLM) refuses a longer
// prompt when the run evaluates through it. The byte-level tokenizer makes at most one token per UTF-8 byte.
const fits = (l: string) =>
  Buffer.byteLength(
    (JSON.parse(l) as { messages: { content: string }[] }).messages.map((m) => m.content).join(""),
  ) <= 1900;
for (const file of [data.heldout, data.qa])
  await writeFile(join(root, file), `${(await lines(file)).filter(fits).join("\n")}\n`);
// The similar pair's files and the MT-Bench copy are not used by the rehearsal (drift uses the bundled copy).
for (const unused of [
  data.phase1.similar.chat,
  data.phase1.similar.records,
  data.phase1.dissimilar.records,
  data.driftPrompts,
  data.heldoutAlpaca,
])
  await rm(join(root, unused), { force: true });
process.stdout.write(`wrote ${root}data (english counterparts kept: ${english.length})\n`);
