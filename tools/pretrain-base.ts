// npm exec tsx -- --conditions=source tools/pretrain-base.ts [--preset tiny] [--steps N] [--out test-fixtures/base-model]
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
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import type { ModelPreset, TrainMetrics } from "@cftkit/lm";
import { PRETRAIN_RECIPE, pretrainBase } from "@cftkit/runner";

const ROOT = resolve(import.meta.dirname, "..");

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
const preset = (arg("--preset") ?? "tiny") as ModelPreset;
const outDir = resolve(arg("--out") ?? join(ROOT, "test-fixtures", "base-model"));
const workDir = join(ROOT, "runs", `pretrain-base-${preset}`);

const started = performance.now();
const loads: number[] = [];
const base = await pretrainBase({
  dataDir: join(ROOT, "data"),
  preset,
  steps,
  outDir,
  workDir,
  onMetrics: (m) => {
    loads.push(loadavg()[0]!);
    if (m.step % 10 === 0)
      console.log(
        `step ${m.step}/${steps} loss ${m.loss.toFixed(3)} ${m.tokensPerSecond.toFixed(0)} tok/s load ${loads.at(-1)!.toFixed(1)}`,
      );
  },
});
if (base.metrics.length === 0) {
  console.log(
    `${outDir} already holds the finished ${preset} base of ${steps} steps (pretraining.json); nothing to do`,
  );
  process.exit(0);
}
const minutes = (performance.now() - started) / 60000;
const meanLoad = loads.reduce((s, l) => s + l, 0) / Math.max(1, loads.length);
const config = JSON.parse(await readFile(join(outDir, "config.json"), "utf8")) as Record<string, number>;
const shape = `hidden ${config.hidden_size}, ${config.num_hidden_layers} layers, ${config.num_attention_heads} heads / ${config.num_key_value_heads} KV heads, MLP ${config.intermediate_size}`;
const { counts, reserved } = base;
await writeFile(
  join(outDir, "README.md"),
  `# base-model: a small multilingual byte-level base (pre-trained, BF16)

Made by \`tools/pretrain-base.ts\` (the recipe is \`PRETRAIN_RECIPE\` and \`pretrainBase\` in
\`packages/runner/src/base-pretraining.ts\`; reproducible: fixed seed, data order and step count). The
quickstart starts from this folder instead of random weights; its \`full\` profile runs the same recipe for a
bigger preset inside the run folder.

- Architecture: Llama, preset \`${preset}\` (${shape}),
  byte-level tokenizer (260 ids), ${base.parameters.toLocaleString("en")} parameters, weights stored as BF16.
- Data (public, carried in this repository): XQuAD paragraphs in 12 languages from 32 of 48 articles
  (${Object.entries(counts)
    .filter(([k]) => k.startsWith("xquad"))
    .map(([k, v]) => `${k.split("_")[1]} ${v}`)
    .join(", ")} paragraphs; never the
  questions or answers), and Alpaca rows 0–${PRETRAIN_RECIPE.alpacaRows - 1} (${counts.alpaca_rows} with a response). Held out and never seen:
  the ${reserved.length} XQuAD articles in \`heldout-articles.json\` (every third article) and Alpaca rows ${PRETRAIN_RECIPE.alpacaRows}–4999.
  Each paragraph is a chat turn (user: the article title; assistant: the paragraph), loss on the assistant turn.
- Recipe: ${steps} optimizer steps, global batch ${PRETRAIN_RECIPE.globalBatchSize} (micro-batch ${PRETRAIN_RECIPE.microBatchSize}), sequence length ${PRETRAIN_RECIPE.sequenceLength}, AdamW lr ${PRETRAIN_RECIPE.learningRate}
  (cosine, ${PRETRAIN_RECIPE.warmupSteps} warm-up steps), weight decay ${PRETRAIN_RECIPE.weightDecay}, gradient clipping ${PRETRAIN_RECIPE.maxGradNorm}, seed ${PRETRAIN_RECIPE.seed}, engine ort.
- Run: ${base.tokens.toLocaleString("en")} tokens in ${minutes.toFixed(1)} minutes on a 2-core machine (mean 1-minute load average
  ${meanLoad.toFixed(1)} during the run); validation loss ${base.initialEvalLoss?.toFixed(3)} → ${base.evalLoss?.toFixed(3)} (nats per byte).

\`pretraining.json\` records the preset, steps, parameters, tokens, losses, held-out articles and counts (the quickstart
reads the preset from it). Reproduce: \`npx tsx --conditions=source tools/pretrain-base.ts --preset ${preset} --steps ${steps}\`

## Loss curve (training loss of the step; validation every 100 steps)

| step | loss | validation |
|---:|---:|---:|
${lossCurve(base.metrics, 25)}
`,
);
console.log(
  `done: ${outDir} (${minutes.toFixed(1)} min, eval loss ${base.initialEvalLoss?.toFixed(3)} → ${base.evalLoss?.toFixed(3)})`,
);
