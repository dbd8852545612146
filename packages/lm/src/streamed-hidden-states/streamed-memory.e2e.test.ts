// `CFTKIT_E2E=1 npx vitest run --config vitest.e2e.config.ts packages/lm/src/streamed-hidden-states/streamed-memory.e2e.test.ts`:
// a 1.07 GB BF16 checkpoint (28 layers, hidden 1024, 2.1 GB as float32) goes through the layer-streamed engine in a
// child process (bench/hidden-states-large.ts --child) whose peak RSS stays under half the model's float32 size.
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRandomBf16Llama } from "../../../../tools/make-large-checkpoint.js";
import { parameterCount, readModelConfig } from "../model-config.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cftkit-streamed-e2e-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("layer-streamed hidden states: memory", () => {
  it("a ≥ 1 GB checkpoint streams with peak RSS under half its float32 size", async () => {
    const model = join(dir, "model");
    await writeRandomBf16Llama(model, {
      architectures: ["LlamaForCausalLM"],
      model_type: "llama",
      hidden_size: 1024,
      intermediate_size: 4096,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 16,
      vocab_size: 32000,
      max_position_embeddings: 2048,
      rms_norm_eps: 1e-5,
      tie_word_embeddings: false,
    });
    const config = await readModelConfig(model);
    let bytes = 0;
    for (const file of await readdir(model))
      if (file.endsWith(".safetensors")) bytes += (await stat(join(model, file))).size;
    expect(bytes).toBeGreaterThan(1e9);
    const float32Bytes = 4 * parameterCount(config);
    const child = spawnSync(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        "bench/hidden-states-large.ts",
        "--child",
        model,
        "--prompts",
        "16",
        "--max-tokens",
        "128",
      ],
      { cwd: repoRoot, encoding: "utf8" },
    );
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
      finishedLayers: number;
      tokens: number;
      maxRssMB: number;
    };
    expect(result.finishedLayers).toBe(28);
    expect(result.tokens).toBeGreaterThan(1000);
    process.stderr.write(
      `streamed ${result.tokens} tokens through ${(bytes / 1e9).toFixed(2)} GB (BF16): peak RSS ${result.maxRssMB.toFixed(0)} MB, float32 model ${(float32Bytes / 2 ** 20).toFixed(0)} MB\n`,
    );
    expect(result.maxRssMB * 1024 * 1024).toBeLessThan(float32Bytes / 2);
  });
});
