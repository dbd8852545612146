// `npm run bench -- scorers [--repeat N]`: items/s of the native scorers next to python3 running the official-rule
// references on the same inputs, in the same run. Python times are measured inside the Python process (scoring
// only, excluding interpreter start-up and file loading), TypeScript times likewise (warm, after one untimed pass).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  evaluateIfeval,
  type IfevalInput,
  IFEVAL_CHECKERS,
  MLQA_LANGUAGES,
  readIfevalInputs,
  readIfevalResponses,
  rougeScore,
  type SquadDataset,
  scoreMlqa,
  scoreSquad,
} from "@cftkit/metrics";
import { perturbedPredictions } from "../packages/metrics/src/testing/qa-perturbations.js";

const repo = join(import.meta.dirname, "..");
const argRepeat = process.argv.indexOf("--repeat");
const repeat = argRepeat > 0 ? Number(process.argv[argRepeat + 1]) : 3;
const tmp = mkdtempSync(join(tmpdir(), "cftkit-bench-scorers-"));

function python(args: string[]): unknown {
  const r = spawnSync("python3", args, { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python3 ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
function time(fn: () => void, n: number): number {
  fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / 1000;
}
const rows: { name: string; items: number; ts: number; py: number; note: string }[] = [];

// ---- QA: SQuAD rules on 12 XQuAD languages + MLQA rules on its 7 ----
{
  const langs = ["ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"];
  const jobs: {
    dataset: string;
    predictions: Record<string, string>;
    scorer: "squad" | "mlqa";
    lang: string;
    data: SquadDataset;
  }[] = [];
  for (const [i, lang] of langs.entries()) {
    const path = join(repo, "data/xquad", `xquad.${lang}.json`);
    const data = JSON.parse(readFileSync(path, "utf8")) as SquadDataset;
    const predictions = perturbedPredictions(data, lang, 1000 + i);
    jobs.push({ dataset: path, predictions, scorer: "squad", lang, data });
    if ((MLQA_LANGUAGES as readonly string[]).includes(lang))
      jobs.push({ dataset: path, predictions, scorer: "mlqa", lang, data });
  }
  let items = 0;
  for (const j of jobs) items += Object.keys(j.predictions).length;
  const ts = time(() => {
    for (const j of jobs)
      j.scorer === "squad" ? scoreSquad(j.data, j.predictions) : scoreMlqa(j.data, j.predictions, j.lang);
  }, repeat);
  const file = join(tmp, "qa.json");
  writeFileSync(file, JSON.stringify({ jobs: jobs.map(({ data: _d, ...j }) => j), repeat }));
  const py = (python([join(repo, "tools/reference/squad_mlqa_eval.py"), file]) as { seconds: number })
    .seconds;
  rows.push({
    name: "QA EM+F1 (SQuAD x12, MLQA x7)",
    items: items * repeat,
    ts,
    py,
    note: "tools/reference/squad_mlqa_eval.py",
  });
}

// ---- ROUGE-1/2/L on 5000 Alpaca output/instruction pairs ----
{
  const alpaca = JSON.parse(readFileSync(join(repo, "data/alpaca/alpaca_5000.json"), "utf8")) as {
    instruction: string;
    output: string;
  }[];
  const pairs = alpaca.map((r) => [r.output, r.instruction] as [string, string]);
  for (const stem of [false, true]) {
    const ts = time(() => {
      for (const [t, p] of pairs) rougeScore(t, p, { stem });
    }, repeat);
    const file = join(tmp, "rouge.json");
    writeFileSync(file, JSON.stringify({ pairs, stem, repeat }));
    const py = (python([join(repo, "tools/reference/rouge_ref.py"), "score", file]) as { seconds: number })
      .seconds;
    rows.push({
      name: `ROUGE-1/2/L${stem ? " +stem" : ""} (Alpaca pairs)`,
      items: pairs.length * repeat,
      ts,
      py,
      note: "tools/reference/rouge_ref.py",
    });
  }
}

// ---- IFEval: the 20 checkers that need neither NLTK nor langdetect (both sides), and all 25 (TypeScript only) ----
{
  const inputPath = join(repo, "data/ifeval/input_data.jsonl");
  const responsePath = join(repo, "data/ifeval/input_response_data_gpt4.jsonl");
  const inputs = await readIfevalInputs(inputPath);
  const responses = await readIfevalResponses(responsePath);
  const pyResult = python([
    join(repo, "tools/reference/ifeval_subset.py"),
    inputPath,
    responsePath,
    String(repeat),
  ]) as {
    seconds: number;
    instructions: number;
  };
  const subsetIds = new Set(
    Object.keys(IFEVAL_CHECKERS).filter(
      (id) =>
        !/response_language|number_sentences|capital_word_frequency|english_capital|english_lowercase/.test(
          id,
        ),
    ),
  );
  const subset: IfevalInput[] = inputs
    .map((inp) => {
      const keep = inp.instruction_id_list
        .map((id, i) => [id, inp.kwargs[i]!] as const)
        .filter(([id]) => subsetIds.has(id));
      return { ...inp, instruction_id_list: keep.map(([id]) => id), kwargs: keep.map(([, k]) => k) };
    })
    .filter((inp) => inp.instruction_id_list.length > 0);
  const ts = time(() => evaluateIfeval(subset, responses), repeat);
  rows.push({
    name: "IFEval strict+loose, 20 regex/string checkers",
    items: pyResult.instructions * repeat,
    ts,
    py: pyResult.seconds,
    note: "tools/reference/ifeval_subset.py",
  });
  const tsAll = time(() => evaluateIfeval(inputs, responses), 1);
  rows.push({
    name: "IFEval strict+loose, all 25 (Punkt, word_tokenize, language id)",
    items: 832,
    ts: tsAll,
    py: Number.NaN,
    note: "no Python baseline: nltk and langdetect are not installed",
  });
}

rmSync(tmp, { recursive: true, force: true });
console.log(`scorers benchmark (repeat ${repeat}; node ${process.version})`);
console.log(
  [
    "scorer".padEnd(66),
    "items".padStart(7),
    "TS items/s".padStart(12),
    "Py items/s".padStart(12),
    "TS/Py".padStart(7),
  ].join(" "),
);
for (const r of rows) {
  const tsRate = r.items / r.ts;
  const pyRate = r.items / r.py;
  console.log(
    [
      r.name.padEnd(66),
      String(r.items).padStart(7),
      tsRate.toFixed(0).padStart(12),
      (Number.isFinite(pyRate) ? pyRate.toFixed(0) : "n/a").padStart(12),
      (Number.isFinite(pyRate) ? `${(tsRate / pyRate).toFixed(2)}x` : "").padStart(7),
    ].join(" "),
  );
}
for (const r of rows) console.log(`  ${r.name}: python baseline = ${r.note}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
