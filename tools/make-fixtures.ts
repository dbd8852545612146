// `npm run fixtures` writes the small generated checkpoints tests and examples use into
// test-fixtures/generated/ (gitignored). Tests can call makeTinyLlamaCheckpoint() on the fly in a temp dir.
import { rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SeededRandom, writeJsonAtomic } from "@cftkit/core";
import {
  SafetensorsWriter,
  SINGLE_FILE_NAME,
  ShardedSafetensorsWriter,
  type TensorSpec,
} from "@cftkit/safetensors";

export interface TinyLlamaOptions {
  /** Storage dtype of every tensor (default F32). */
  dtype?: "F32" | "F16" | "BF16";
  /** Write `model-0000k-of-0000N.safetensors` shards + index of at most this many bytes each. */
  maxShardBytes?: number;
  seed?: number;
  hiddenSize?: number;
  intermediateSize?: number;
  numLayers?: number;
  numHeads?: number;
  numKeyValueHeads?: number;
  vocabSize?: number;
}

/** The HF config.json of the tiny model (Llama architecture). */
export function tinyLlamaConfig(options: TinyLlamaOptions = {}): Record<string, unknown> {
  const dtype = options.dtype ?? "F32";
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: options.hiddenSize ?? 32,
    intermediate_size: options.intermediateSize ?? 64,
    num_hidden_layers: options.numLayers ?? 2,
    num_attention_heads: options.numHeads ?? 4,
    num_key_value_heads: options.numKeyValueHeads ?? 2,
    vocab_size: options.vocabSize ?? 128,
    max_position_embeddings: 256,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    hidden_act: "silu",
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 2,
    torch_dtype: dtype === "F32" ? "float32" : dtype === "F16" ? "float16" : "bfloat16",
  };
}

/** Tensor names and shapes of a Llama checkpoint, in the order HF saves them. */
export function llamaTensorSpecs(config: Record<string, unknown>, dtype: TensorSpec["dtype"]): TensorSpec[] {
  const h = config.hidden_size as number;
  const inter = config.intermediate_size as number;
  const heads = config.num_attention_heads as number;
  const kv = config.num_key_value_heads as number;
  const vocab = config.vocab_size as number;
  const headDim = h / heads;
  const specs: TensorSpec[] = [{ name: "model.embed_tokens.weight", dtype, shape: [vocab, h] }];
  for (let i = 0; i < (config.num_hidden_layers as number); i++) {
    const p = `model.layers.${i}`;
    specs.push(
      { name: `${p}.input_layernorm.weight`, dtype, shape: [h] },
      { name: `${p}.self_attn.q_proj.weight`, dtype, shape: [heads * headDim, h] },
      { name: `${p}.self_attn.k_proj.weight`, dtype, shape: [kv * headDim, h] },
      { name: `${p}.self_attn.v_proj.weight`, dtype, shape: [kv * headDim, h] },
      { name: `${p}.self_attn.o_proj.weight`, dtype, shape: [h, heads * headDim] },
      { name: `${p}.post_attention_layernorm.weight`, dtype, shape: [h] },
      { name: `${p}.mlp.gate_proj.weight`, dtype, shape: [inter, h] },
      { name: `${p}.mlp.up_proj.weight`, dtype, shape: [inter, h] },
      { name: `${p}.mlp.down_proj.weight`, dtype, shape: [h, inter] },
    );
  }
  specs.push(
    { name: "model.norm.weight", dtype, shape: [h] },
    { name: "lm_head.weight", dtype, shape: [vocab, h] },
  );
  return specs;
}

/**
 * Write a tiny random Llama-shaped HF model folder (config.json + model.safetensors, or shards + index) into `dir`.
 * Values: N(0, 0.02) for matrices, 1 + N(0, 0.02) for norm weights; seeded, the seed is in `__metadata__`.
 */
export async function makeTinyLlamaCheckpoint(
  dir: string,
  options: TinyLlamaOptions = {},
): Promise<{ dir: string; config: Record<string, unknown>; specs: TensorSpec[] }> {
  const dtype = options.dtype ?? "F32";
  const seed = options.seed ?? 0;
  const config = tinyLlamaConfig(options);
  const specs = llamaTensorSpecs(config, dtype);
  const metadata = { format: "pt", generator: "cftkit tools/make-fixtures.ts", seed: String(seed) };
  const writer =
    options.maxShardBytes !== undefined
      ? await ShardedSafetensorsWriter.open(dir, specs, { maxShardBytes: options.maxShardBytes, metadata })
      : await SafetensorsWriter.open(join(dir, SINGLE_FILE_NAME), specs, metadata);
  const random = new SeededRandom(seed);
  try {
    for (const spec of specs) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      const base = spec.shape.length === 1 ? 1 : 0;
      for (let i = 0; i < n; i++) data[i] = base + 0.02 * random.normal();
      await writer.write(spec.name, data);
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
  await writeJsonAtomic(join(dir, "config.json"), config);
  return { dir, config, specs };
}

/** Writes test-fixtures/generated/{tiny-llama-f32, tiny-llama-bf16, tiny-llama-sharded}. */
export async function makeFixtures(
  root = resolve(import.meta.dirname, "..", "test-fixtures", "generated"),
): Promise<string[]> {
  const made: string[] = [];
  const jobs: [string, TinyLlamaOptions][] = [
    ["tiny-llama-f32", { dtype: "F32" }],
    ["tiny-llama-bf16", { dtype: "BF16" }],
    ["tiny-llama-sharded", { dtype: "F32", maxShardBytes: 24 * 1024 }],
  ];
  for (const [name, options] of jobs) {
    const dir = join(root, name);
    await rm(dir, { recursive: true, force: true });
    await makeTinyLlamaCheckpoint(dir, options);
    made.push(dir);
  }
  return made;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const made = await makeFixtures();
  for (const dir of made) process.stdout.write(`wrote ${dir}\n`);
}
