import { readFileSync } from "node:fs";
import { CausalLM } from "@cftkit/lm";
import { EmbeddedEvalModel, heldoutLikelihood, qaGenerationTask } from "@cftkit/evaluation";
const [modelDir, dataDir, maxNew] = process.argv.slice(2);
const read = (f: string) => readFileSync(`${dataDir}/${f}`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const lm = await CausalLM.load(modelDir!);
const m = new EmbeddedEvalModel(lm, "probe", 16);
let t = performance.now();
await heldoutLikelihood(m, read("heldout-xquad.jsonl"), {});
console.log("heldout xquad", read("heldout-xquad.jsonl").length, ((performance.now() - t) / 1000).toFixed(1));
t = performance.now();
await heldoutLikelihood(m, read("heldout-alpaca.jsonl"), {});
console.log("heldout alpaca", read("heldout-alpaca.jsonl").length, ((performance.now() - t) / 1000).toFixed(1));
const qa = read("qa-eval.jsonl");
for (const lang of ["en", "zh"]) {
  const items = qa.filter((r: any) => r.language === lang).map((r: any) => ({ id: r.id, prompt: r.messages, answers: r.answers }));
  t = performance.now();
  await qaGenerationTask(m, items, { language: lang, maxNewTokens: Number(maxNew) });
  console.log("qa", lang, items.length, ((performance.now() - t) / 1000).toFixed(1));
}
lm.dispose();
