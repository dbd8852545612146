// npm exec tsx -- --conditions=source tools/pretrain-base.ts [--steps N] [--out test-fixtures/base-model]
//
// Pre-trains the small multilingual byte-level base model the quickstart starts from, reproducibly (fixed
// seed, data order and step count; same numbers on any machine up to float summation order), on public text
// the repository carries:
//   - XQuAD contexts (data/xquad, CC BY-SA 4.0) in all 12 languages, from 32 of the 48 articles; every third
//     article (index 0, 3, 6, …) is reserved for evaluation and never seen (listed in heldout-articles.json);
//     only the paragraphs, never the questions or answers (those are the quickstart's fine-tuning tasks);
//   - Alpaca (data/alpaca/alpaca_5000.json, CC BY-NC 4.0) rows 0–2499 as instruction → response;
//     rows 2500–4999 stay unseen for held-out English evaluation.
// MT-Bench questions are not used (they are the drift/analysis prompts). Writes a BF16 model folder with a
// README (recipe, seed, loss curve, minutes) to --out.
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { CausalLM, type TrainMetrics, type TrainingExample, trainCausalLM } from "@cftkit/lm";

const ROOT = resolve(import.meta.dirname, "..");
const LANGUAGES = ["en", "ar", "de", "el", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"];
export const RECIPE = {
  preset: "tiny" as const,
  seed: 20241021,
  sequenceLength: 512,
  microBatchSize: 8,
  globalBatchSize: 16,
  learningRate: 3e-3,
  warmupSteps: 12,
  lrScheduler: "cosine" as const,
  weightDecay: 0.01,
  maxGradNorm: 1,
  alpacaRows: 2500,
};

interface Squad {
  data: { title: string; paragraphs: { context: string }[] }[];
}

/** The articles reserved for evaluation: every third XQuAD article (titles are shared by all languages). */
export function reservedArticles(titles: readonly string[]): string[] {
  return titles.filter((_, i) => i % 3 === 0);
}

async function corpus(): Promise<{
  examples: TrainingExample[];
  reserved: string[];
  counts: Record<string, number>;
}> {
  const examples: TrainingExample[] = [];
  const counts: Record<string, number> = {};
  let reserved: string[] = [];
  for (const lang of LANGUAGES) {
    const squad = JSON.parse(
      await readFile(join(ROOT, "data", "xquad", `xquad.${lang}.json`), "utf8"),
    ) as Squad;
    if (lang === "en") reserved = reservedArticles(squad.data.map((a) => a.title));
    const held = new Set(reserved);
    let n = 0;
    for (const article of squad.data) {
      if (held.has(article.title)) continue;
      for (const [i, p] of article.paragraphs.entries()) {
        examples.push({
          id: `xquad-${lang}-${article.title}-${i}`,
          messages: [
            { role: "user", content: article.title.replaceAll("_", " ") },
            { role: "assistant", content: p.context },
          ],
        });
        n++;
      }
    }
    counts[`xquad_${lang}_paragraphs`] = n;
  }
  const alpaca = JSON.parse(await readFile(join(ROOT, "data", "alpaca", "alpaca_5000.json"), "utf8")) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  let a = 0;
  for (const [i, r] of alpaca.slice(0, RECIPE.alpacaRows).entries()) {
    if (r.output.trim() === "") continue;
    examples.push({
      id: `alpaca-${i}`,
      messages: [
        { role: "user", content: r.input ? `${r.instruction}\n\n${r.input}` : r.instruction },
        { role: "assistant", content: r.output },
      ],
    });
    a++;
  }
  counts.alpaca_rows = a;
  return { examples, reserved, counts };
}

function lossCurve(rows: TrainMetrics[], every: number): string {
  return rows
    .filter((_, i) => (i + 1) % every === 0 || i === 0)
    .map((m) => `| ${m.step} | ${m.loss.toFixed(3)} | ${m.evalLoss?.toFixed(3) ?? ""} |`)
    .join("\n");
}

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const steps = Number(arg("--steps") ?? 1000);
const outDir = resolve(arg("--out") ?? join(ROOT, "test-fixtures", "base-model"));
const workDir = join(ROOT, "runs", "pretrain-base");

const { examples, reserved, counts } = await corpus();
// a fixed validation slice: every 50th example (still trained on; it only tracks the curve)
const validation = examples.filter((_, i) => i % 50 === 0).slice(0, 32);
await mkdir(workDir, { recursive: true });
const init = await CausalLM.init({ preset: RECIPE.preset, seed: RECIPE.seed });
await init.save(join(workDir, "init"));
init.dispose();
const metrics: TrainMetrics[] = [];
const started = performance.now();
const loads: number[] = [];
const result = await trainCausalLM({
  modelDir: join(workDir, "init"),
  outDir: join(workDir, "train"),
  train: examples,
  validation,
  ...RECIPE,
  maxSteps: steps,
  evalEverySteps: 100,
  evalOnStart: true,
  saveEverySteps: 100,
  saveTotalLimit: 1,
  resume: true,
  saveDtype: "BF16",
  onMetrics: (m) => {
    metrics.push(m);
    loads.push(loadavg()[0]!);
    if (m.step % 10 === 0)
      console.log(
        `step ${m.step}/${steps} loss ${m.loss.toFixed(3)} ${m.tokensPerSecond.toFixed(0)} tok/s load ${loads.at(-1)!.toFixed(1)}`,
      );
  },
});
const minutes = (performance.now() - started) / 60000;
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
for (const f of [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "model.safetensors",
])
  await cp(join(result.modelDir, f), join(outDir, f)).catch(() => undefined);
await writeFile(join(outDir, "heldout-articles.json"), `${JSON.stringify(reserved, null, 2)}\n`);
const meanLoad = loads.reduce((s, l) => s + l, 0) / Math.max(1, loads.length);
const tokens = metrics.reduce((s, m) => s + m.tokens, 0);
await writeFile(
  join(outDir, "README.md"),
  `# base-model: a small multilingual byte-level base (pre-trained, BF16)

Made by \`tools/pretrain-base.ts\` (reproducible: fixed seed, data order and step count). The quickstart
starts from this folder instead of random weights.

- Architecture: Llama, preset \`${RECIPE.preset}\` (hidden 64, 2 layers, 4 heads / 2 KV heads, MLP 172; the quickstart's size),
  byte-level tokenizer (260 ids), ${result.totalParameters.toLocaleString("en")} parameters, weights stored as BF16.
- Data (public, carried in this repository): XQuAD paragraphs in 12 languages from 32 of 48 articles
  (${Object.entries(counts)
    .filter(([k]) => k.startsWith("xquad"))
    .map(([k, v]) => `${k.split("_")[1]} ${v}`)
    .join(", ")} paragraphs; never the
  questions or answers), and Alpaca rows 0–${RECIPE.alpacaRows - 1} (${counts.alpaca_rows} with a response). Held out and never seen:
  the ${reserved.length} XQuAD articles in \`heldout-articles.json\` (every third article) and Alpaca rows ${RECIPE.alpacaRows}–4999.
  Each paragraph is a chat turn (user: the article title; assistant: the paragraph), loss on the assistant turn.
- Recipe: ${steps} optimizer steps, global batch ${RECIPE.globalBatchSize} (micro-batch ${RECIPE.microBatchSize}), sequence length ${RECIPE.sequenceLength}, AdamW lr ${RECIPE.learningRate}
  (cosine, ${RECIPE.warmupSteps} warm-up steps), weight decay ${RECIPE.weightDecay}, gradient clipping ${RECIPE.maxGradNorm}, seed ${RECIPE.seed}, engine ort.
- Run: ${tokens.toLocaleString("en")} tokens in ${minutes.toFixed(1)} minutes on a shared 2-core machine (mean 1-minute load average
  ${meanLoad.toFixed(1)} during the run); validation loss ${result.initialEvalLoss?.toFixed(3)} → ${result.evalLoss?.toFixed(3)} (nats per byte).

Reproduce: \`npx tsx --conditions=source tools/pretrain-base.ts --steps ${steps}\`

## Loss curve (training loss of the step; validation every 100 steps)

| step | loss | validation |
|---:|---:|---:|
${lossCurve(metrics, 25)}
`,
);
console.log(
  `done: ${outDir} (${minutes.toFixed(1)} min, eval loss ${result.initialEvalLoss?.toFixed(3)} → ${result.evalLoss?.toFixed(3)})`,
);
