// `CFTKIT_E2E=1 npx vitest run --config vitest.e2e.config.ts packages/lm/src/streamed-hidden-states/streamed-memory.e2e.test.ts`:
// a 1.07 GB BF16 checkpoint (28 layers, hidden 1024, 2.1 GB as float32) goes through the layer-streamed engine in a
// child process (bench/hidden-states-large.ts --child) whose peak RSS stays under half the model's float32 size.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeJsonAtomic } from "@cftkit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTinyLlamaCheckpoint } from "../../../../tools/make-fixtures.js";
import { byteLevelTokenizerFiles } from "../byte-level-tokenizer.js";
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
    await makeTinyLlamaCheckpoint(model, {
      dtype: "BF16",
      hiddenSize: 1024,
      intermediateSize: 4096,
      numLayers: 28,
      numHeads: 16,
      numKeyValueHeads: 16,
      vocabSize: 32000,
      maxShardBytes: 4e8,
      seed: 2,
    });
    const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles();
    await writeJsonAtomic(join(model, "tokenizer.json"), tokenizerJson);
    await writeJsonAtomic(join(model, "tokenizer_config.json"), tokenizerConfig);
    const config = await readModelConfig(model);
    let bytes = 0;
    for (let k = 1; k <= 3; k++)
      bytes += (await stat(join(model, `model-0000${k}-of-00003.safetensors`))).size;
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
    expect(result.maxRssMB * 1024 * 1024).toBeLessThan(float32Bytes / 2);
  });
});
