// Writes a random BF16 Llama checkpoint with a real model's shapes for `npm run bench -- hidden-states-large`:
//   npx tsx tools/make-large-checkpoint.ts --shape 8b|1b --out DIR
// 8b: Llama-3-8B (hidden 4096, 32 layers, 32 heads / 8 KV heads, intermediate 14336), the vocabulary cut so the
// files come to about 15 GB; 1b: Llama-3.2-1B (hidden 2048, 16 layers, 32/8 heads, intermediate 8192, vocabulary
// 128256, tied embeddings). The byte-level tokenizer is written beside it (its 260 ids fit any vocabulary). The
// weights repeat one random block (uniform, N(0, 0.02)-sized): the numbers only have to be finite and
// realistic in size for a throughput benchmark. Skips the work when DIR already holds the same checkpoint.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SeededRandom, writeJsonAtomic } from "@cftkit/core";
import { byteLevelTokenizerFiles } from "@cftkit/lm";
import { BYTE_LEVEL_IDS } from "@cftkit/lm/internal";
import { ShardedSafetensorsWriter, type TensorSpec } from "@cftkit/safetensors";
import { f32BitsToBf16 } from "@cftkit/safetensors/internal";
import { llamaTensorSpecs } from "./make-fixtures.js";

export type LargeShape = "8b" | "1b";

const TARGET_8B_BYTES = 15e9;

export function largeCheckpointConfig(shape: LargeShape): Record<string, unknown> {
  const common = {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    num_attention_heads: 32,
    num_key_value_heads: 8,
    hidden_act: "silu",
    rms_norm_eps: 1e-5,
    rope_theta: 500000,
    max_position_embeddings: 8192,
    bos_token_id: BYTE_LEVEL_IDS.bos,
    eos_token_id: BYTE_LEVEL_IDS.eos,
    torch_dtype: "bfloat16",
  };
  if (shape === "1b")
    return {
      ...common,
      hidden_size: 2048,
      intermediate_size: 8192,
      num_hidden_layers: 16,
      head_dim: 64,
      vocab_size: 128256,
      tie_word_embeddings: true,
    };
  const hidden = 4096;
  const layers = 32;
  const perLayer = 2 * hidden * hidden + 2 * hidden * 1024 + 3 * hidden * 14336 + 2 * hidden;
  const vocab = Math.floor((TARGET_8B_BYTES / 2 - layers * perLayer - hidden) / (2 * hidden) / 256) * 256;
  return {
    ...common,
    hidden_size: hidden,
    intermediate_size: 14336,
    num_hidden_layers: layers,
    vocab_size: vocab,
    tie_word_embeddings: false,
  };
}

/** BF16 bytes of `n` values cycling through one random block. */
function fillBf16(block: Uint16Array, n: number, shift: number, norm: boolean): Uint8Array {
  const out = new Uint16Array(n);
  if (norm)
    out.fill(0x3f80); // 1.0
  else
    for (let done = 0; done < n; ) {
      const start = (shift + done) % block.length;
      const take = Math.min(n - done, block.length - start);
      out.set(block.subarray(start, start + take), done);
      done += take;
    }
  return new Uint8Array(out.buffer);
}

export async function makeLargeCheckpoint(
  shape: LargeShape,
  dir: string,
): Promise<{ dir: string; skipped: boolean }> {
  return writeRandomBf16Llama(dir, largeCheckpointConfig(shape));
}

/**
 * A random BF16 Llama folder for `config` (head_dim = hidden / heads) with the byte-level tokenizer, in shards of
 * at most 5 GB; config.json is written last and marks it complete, so a folder already holding it is kept.
 */
export async function writeRandomBf16Llama(
  dir: string,
  config: Record<string, unknown>,
): Promise<{ dir: string; skipped: boolean }> {
  const marker = join(dir, "config.json");
  try {
    const existing = JSON.parse(await readFile(marker, "utf8")) as Record<string, unknown>;
    if (JSON.stringify(existing) === JSON.stringify(config)) return { dir, skipped: true };
  } catch {
    // not written yet
  }
  let specs: TensorSpec[] = llamaTensorSpecs(config, "BF16");
  if (config.tie_word_embeddings) specs = specs.filter((s) => s.name !== "lm_head.weight");
  const random = new SeededRandom(17);
  const block = new Uint16Array(1 << 23);
  const scale = 0.02 * Math.sqrt(3);
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  for (let i = 0; i < block.length; i++) {
    f32[0] = (2 * random.next() - 1) * scale;
    block[i] = f32BitsToBf16(bits[0]!);
  }
  const writer = await ShardedSafetensorsWriter.open(dir, specs, {
    maxShardBytes: 5e9,
    metadata: { format: "pt" },
  });
  try {
    for (const [k, spec] of specs.entries()) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      await writer.writeBytes(spec.name, fillBf16(block, n, k * 7919, spec.shape.length === 1));
    }
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
  await writeJsonAtomic(join(dir, "tokenizer.json"), tokenizerJson);
  await writeJsonAtomic(join(dir, "tokenizer_config.json"), tokenizerConfig);
  await writeJsonAtomic(marker, config); // last: marks the checkpoint complete
  return { dir, skipped: false };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const shape = (arg("--shape") ?? "1b") as LargeShape;
  const out = resolve(arg("--out") ?? `bench-out/checkpoints/llama-${shape}-bf16`);
  const made = await makeLargeCheckpoint(shape, out);
  process.stdout.write(`${made.skipped ? "already there" : "wrote"}: ${made.dir}\n`);
}
