import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { CausalLM } from "@cftkit/lm";
import {
  axolotlConfigToYaml,
  parseTrainingPlan,
  planToAxolotlConfig,
  buildAxolotlCommand,
  formatCommand,
} from "@cftkit/trainer";
const dir = "packages/trainer/scratch-gpu";
const m = await CausalLM.init({ preset: "tiny", seed: 1 });
await m.save(`${dir}/model`);
m.dispose();
mkdirSync(`${dir}/data`, { recursive: true });
const alpaca = (
  JSON.parse(readFileSync("data/alpaca/alpaca_5000.json", "utf8")) as Record<string, string>[]
).slice(0, 128);
writeFileSync(`${dir}/data/alpaca.jsonl`, alpaca.map((r) => JSON.stringify(r)).join("\n"));
const sq = JSON.parse(readFileSync("data/xquad/xquad.de.json", "utf8"));
const chat: string[] = [];
for (const p of sq.data[0].paragraphs.slice(0, 40))
  for (const qa of p.qas.slice(0, 2))
    chat.push(
      JSON.stringify({
        messages: [
          { role: "user", content: `${p.context.slice(0, 150)}\n${qa.question}` },
          { role: "assistant", content: qa.answers[0].text },
        ],
      }),
    );
writeFileSync(`${dir}/data/xquad-de.jsonl`, chat.join("\n"));
const common = {
  sequence_len: 256,
  seed: 3,
  hyperparameters: {
    learning_rate: 1e-3,
    max_steps: 6,
    warmup_steps: 2,
    save_strategy: "steps",
    save_steps: 3,
    gradient_checkpointing: false,
  },
};
const plans = [
  parseTrainingPlan({
    name: "gpu.phase1",
    strategy: "phase1",
    phase: 1,
    base_model: "./model",
    datasets: [{ path: "./data/alpaca.jsonl", type: "alpaca" }],
    output_dir: "./out/phase1",
    ...common,
  }),
  parseTrainingPlan({
    name: "gpu.LF",
    strategy: "LF_H1",
    phase: 2,
    base_model: "./out/phase1",
    datasets: [{ path: "./data/xquad-de.jsonl", type: "chat_template" }],
    output_dir: "./out/lf",
    freeze: { unfrozen_parameters: ["model.layers.1.self_attn", "model.layers.1.mlp.down_proj"] },
    ...common,
  }),
  parseTrainingPlan({
    name: "gpu.LoRA",
    strategy: "LoRA",
    phase: 2,
    base_model: "./out/phase1",
    datasets: [{ path: "./data/xquad-de.jsonl", type: "chat_template" }],
    output_dir: "./out/lora",
    lora: { r: 8, alpha: 16, dropout: 0 },
    ...common,
  }),
];
for (const [i, p] of plans.entries()) {
  const { config } = planToAxolotlConfig(p, { configDir: "." });
  writeFileSync(`${dir}/${["phase1", "lf", "lora"][i]}.yml`, axolotlConfigToYaml(config, p.name));
  console.log(formatCommand(buildAxolotlCommand(`${["phase1", "lf", "lora"][i]}.yml`, p.launcher)));
}
