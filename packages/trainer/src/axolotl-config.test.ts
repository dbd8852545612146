import { describe, expect, it } from "vitest";
import { buildAxolotlCommand } from "./axolotl-command.js";
import { deepSpeedPreset, planToAxolotlConfig } from "./axolotl-config.js";
import { checkAxolotlConfig } from "./axolotl-schema-check.js";
import { loadAxolotlSchema } from "./testing/repo-paths.js";
import { LauncherSchema, parseTrainingPlan, type TrainingPlanInput } from "./training-plan.js";

const schema = loadAxolotlSchema();
const base: TrainingPlanInput = {
  name: "s.baseline",
  strategy: "baseline",
  phase: 2,
  base_model: "meta-llama/Meta-Llama-3-8B",
  datasets: [
    { path: "/d/alpaca.jsonl", type: "alpaca" },
    { path: "/d/chat.jsonl", type: "chat_template" },
  ],
  output_dir: "/runs/s/phase2-baseline",
};

describe("planToAxolotlConfig", () => {
  it("fills in the paper's defaults and writes chat data as chat_template with message_property_mappings", () => {
    const { config } = planToAxolotlConfig(parseTrainingPlan(base));
    expect(checkAxolotlConfig(config, schema)).toEqual([]);
    expect(config).toMatchObject({
      learning_rate: 1e-6,
      num_epochs: 4,
      micro_batch_size: 4,
      gradient_accumulation_steps: 4,
      lr_scheduler: "cosine",
      warmup_steps: 10,
      optimizer: "adamw_torch",
      weight_decay: 0,
      bf16: true,
    });
    expect(config.datasets).toEqual([
      { path: "/d/alpaca.jsonl", type: "alpaca", ds_type: "json" },
      {
        path: "/d/chat.jsonl",
        type: "chat_template",
        ds_type: "json",
        field_messages: "messages",
        message_property_mappings: { role: "role", content: "content" },
        roles_to_train: ["assistant"],
      },
    ]);
  });

  it("rejects freeze patterns together with LoRA (names get prefixed), at parse and at config time", () => {
    const both = { ...base, freeze: { unfrozen_parameters: ["model.layers.1."] }, lora: {} };
    expect(() => parseTrainingPlan(both)).toThrow(/cannot be combined/);
    const lora = parseTrainingPlan({ ...base, lora: { target_modules: ["q_proj", "v_proj"] } });
    const { config } = planToAxolotlConfig(lora);
    expect(checkAxolotlConfig(config, schema)).toEqual([]);
    expect(config).toMatchObject({
      adapter: "lora",
      lora_r: 64,
      lora_alpha: 128,
      lora_target_modules: ["q_proj", "v_proj"],
    });
    expect(config.lora_target_linear).toBeUndefined();
    expect(() =>
      planToAxolotlConfig({ ...lora, freeze: { unfrozen_parameters: ["model.layers.1."] } }),
    ).toThrow(/cannot be combined/);
  });

  it("writes DeepSpeed ZeRO presets and FSDP2 configs Axolotl accepts", () => {
    for (const preset of ["zero1", "zero2", "zero3"] as const) {
      const plan = parseTrainingPlan({ ...base, launcher: { gpus_per_node: 8, deepspeed: preset } });
      const { config, sideFiles } = planToAxolotlConfig(plan, { configDir: "/cfg" });
      expect(config.deepspeed).toBe(`/cfg/deepspeed_${preset}.json`);
      const ds = JSON.parse(sideFiles[0]!.content);
      expect(ds.zero_optimization.stage).toBe(Number(preset.at(-1)));
      expect(ds.bf16.enabled).toBe(true);
      expect(ds.train_micro_batch_size_per_gpu).toBe("auto");
      expect(config.micro_batch_size as number).toBe(2);
      expect(checkAxolotlConfig(config, schema)).toEqual([]);
    }
    expect(deepSpeedPreset("zero3", false).bf16).toEqual({ enabled: false });
    const fsdp = parseTrainingPlan({
      ...base,
      launcher: { gpus_per_node: 4, nodes: 2, main_process_ip: "10.0.0.1", fsdp: {} },
    });
    const { config } = planToAxolotlConfig(fsdp);
    expect(config.fsdp_version).toBe(2);
    expect(config.fsdp_config).toMatchObject({
      transformer_layer_cls_to_wrap: "LlamaDecoderLayer",
      auto_wrap_policy: "TRANSFORMER_BASED_WRAP",
    });
    expect(checkAxolotlConfig(config, schema)).toEqual([]);
    expect((config.micro_batch_size as number) * (config.gradient_accumulation_steps as number) * 8).toBe(16);
    expect(() => parseTrainingPlan({ ...base, launcher: { deepspeed: "zero2", fsdp: {} } })).toThrow(
      /DeepSpeed or FSDP/,
    );
    expect(() =>
      planToAxolotlConfig(
        parseTrainingPlan({ ...base, base_model: "my/unknown-arch", launcher: { fsdp: {} } }),
      ),
    ).toThrow(/transformer_layer_cls_to_wrap/);
  });

  it("the schema check catches keys and values Axolotl would reject", () => {
    expect(
      checkAxolotlConfig(
        {
          base_model: "x",
          flash_attention: true,
          not_a_key: 1,
          optimizer: "adamw_turbo",
          lr_scheduler: "cosine_magic",
          datasets: [{ path: "p", type: "sharegpt", message_field_role: "from", bogus: 1 }],
          fsdp_config: { fsdp_offload_params: true },
        },
        schema,
      ),
    ).toEqual(
      expect.arrayContaining([
        "unknown top-level key not_a_key",
        expect.stringMatching(/^flash_attention is deprecated/),
        "unknown optimizer adamw_turbo",
        "unknown lr_scheduler cosine_magic",
        expect.stringMatching(/type sharegpt is rejected/),
        "datasets[0]: message_field_role is deprecated",
        "datasets[0]: unknown key bogus",
        "fsdp_config: unknown key fsdp_offload_params",
      ]),
    );
  });
});

describe("buildAxolotlCommand", () => {
  const launcher = (v: object) => LauncherSchema.parse(v);
  it("uses python on one GPU, accelerate on several, and passes node rank / master address for multi-node", () => {
    expect(buildAxolotlCommand("c.yml", launcher({})).args).toEqual([
      "train",
      "c.yml",
      "--launcher",
      "python",
    ]);
    expect(buildAxolotlCommand("c.yml", launcher({ gpus_per_node: 4 })).args).toEqual([
      "train",
      "c.yml",
      "--launcher",
      "accelerate",
      "--",
      "--num_processes",
      "4",
      "--num_machines",
      "1",
    ]);
    expect(
      buildAxolotlCommand(
        "c.yml",
        launcher({
          gpus_per_node: 4,
          nodes: 2,
          node_rank: 1,
          main_process_ip: "10.0.0.4",
          main_process_port: 5000,
        }),
      ).args,
    ).toEqual([
      "train",
      "c.yml",
      "--launcher",
      "accelerate",
      "--",
      "--num_processes",
      "8",
      "--num_machines",
      "2",
      "--machine_rank",
      "1",
      "--main_process_ip",
      "10.0.0.4",
      "--main_process_port",
      "5000",
    ]);
    expect(
      buildAxolotlCommand(
        "c.yml",
        launcher({ kind: "torchrun", gpus_per_node: 4, nodes: 2, node_rank: 0, main_process_ip: "10.0.0.4" }),
      ).args,
    ).toEqual([
      "train",
      "c.yml",
      "--launcher",
      "torchrun",
      "--",
      "--nnodes",
      "2",
      "--nproc_per_node",
      "4",
      "--node_rank",
      "0",
      "--rdzv_backend",
      "c10d",
      "--rdzv_endpoint",
      "10.0.0.4:29500",
    ]);
    expect(() => buildAxolotlCommand("c.yml", launcher({ nodes: 2 }))).toThrow(/main_process_ip/);
    expect(() => buildAxolotlCommand("c.yml", launcher({ kind: "python", gpus_per_node: 2 }))).toThrow(
      /accelerate or torchrun/,
    );
  });
});
