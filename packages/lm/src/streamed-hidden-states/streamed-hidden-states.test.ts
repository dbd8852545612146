import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CausalLM } from "../causal-lm.js";
import { streamedMeanHiddenStates } from "./streamed-hidden-states.js";

const SCRIPT = fileURLToPath(new URL("../../../../tools/reference/llama_forward.py", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../../../../test-fixtures/transformers-5.17/", import.meta.url));

/** max |a − b| / max |b| over the whole array (b = the reference). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

/** Rows of different lengths so batches pad, in an order the engine re-sorts. */
const CASES = [
  { name: "llama-gqa-sharded", ids: "1,5,9,2,40,3,7,11,60,0;4,4,8;66,12,1,0,2,30;9;5,6,7,8,9,10,11" }, // F32, 3 shards
  { name: "qwen2-bias", ids: "3,70,1,9,22,5,5,48;7,2;0,13,69,31,8;1,1,1,1" }, // q/k/v bias, tied, BF16, 2 shards
  { name: "mistral-window", ids: "1,2,3,50,4,5,6,7,8;9,8,7,6,5;52,0,1,2,3,4,5,6,7,8,9,10" }, // sliding window 3
];

describe("streamed hidden states = in-memory engine = float64 numpy forward", () => {
  const root = mkdtempSync(join(tmpdir(), "cftkit-streamed-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`${c.name}: every layer's token means within 1e-4 relative error`, async () => {
      const out = join(root, c.name);
      const made = spawnSync(
        "python3",
        [SCRIPT, "make", "--case", c.name, "--out", out, "--token-ids", c.ids, "--seed", "3"],
        { encoding: "utf8" },
      );
      expect(made.status, made.stderr).toBe(0);
      const reference = JSON.parse(readFileSync(join(out, "reference.json"), "utf8")) as {
        token_ids: number[][];
        hidden_means: number[][][];
      };
      const ids = reference.token_ids;
      const workDir = join(out, "work");
      // 12 tokens per run: several batches, each padded.
      const streamed = await streamedMeanHiddenStates(join(out, "model"), ids, { workDir, batchTokens: 12 });
      const H = streamed.config.hiddenSize;
      expect(streamed.layers).toHaveLength(streamed.config.numHiddenLayers + 1);
      const model = await CausalLM.load(join(out, "model"));
      try {
        const inMemory = await model.meanHiddenStatesOfIds(ids, { batchSize: 2 });
        streamed.layers.forEach((layer, l) => {
          const expected = reference.hidden_means.flatMap((row) => row[l]!);
          expect(relativeError(layer, expected)).toBeLessThan(1e-4);
          const fromMemory = ids.flatMap((_, s) => [...inMemory[s]![l]!]);
          expect(relativeError(layer, fromMemory)).toBeLessThan(1e-4);
          expect(layer.length).toBe(ids.length * H);
        });
      } finally {
        model.dispose();
      }
    });
  }

  it.each(["llama-gqa-f32", "qwen2-bias-tied-bf16", "mistral-f32", "llama3-rope-scaling-f32"])(
    "%s (written by transformers 5.17): means equal transformers' own",
    async (name) => {
      const expected = JSON.parse(readFileSync(`${FIXTURES}${name}.expected.json`, "utf8")) as {
        hidden_mean: number[][];
      };
      const ids = [[1, 5, 17, 42, 99, 7, 250, 3, 64, 128]];
      const streamed = await streamedMeanHiddenStates(`${FIXTURES}${name}`, ids, {
        workDir: join(root, `${name}-work`),
      });
      expect(streamed.layers).toHaveLength(expected.hidden_mean.length);
      streamed.layers.forEach((layer, l) => {
        expect(relativeError(layer, expected.hidden_mean[l]!)).toBeLessThan(1e-4);
      });
    },
  );

  it("a second run with the same inputs reads the finished layers; other inputs start over", async () => {
    const out = join(root, "llama-gqa-sharded");
    const workDir = join(root, "resume-work");
    const ids = [
      [1, 2, 3],
      [4, 5],
    ];
    const first = await streamedMeanHiddenStates(join(out, "model"), ids, { workDir });
    expect(first.resumedAfterLayer).toBeNull();
    const lines: string[] = [];
    const again = await streamedMeanHiddenStates(join(out, "model"), ids, {
      workDir,
      log: (l) => lines.push(l),
    });
    expect(again.resumedAfterLayer).toBe(first.config.numHiddenLayers);
    for (const [l, layer] of again.layers.entries()) expect([...layer]).toEqual([...first.layers[l]!]);
    const other = await streamedMeanHiddenStates(join(out, "model"), [[7, 7]], {
      workDir,
      log: (l) => lines.push(l),
    });
    expect(other.resumedAfterLayer).toBeNull();
    expect(lines.some((l) => l.includes("starting over"))).toBe(true);
    expect(existsSync(join(workDir, "hidden.0.f32"))).toBe(false);
  });

  it("bad token ids and a folder without weights are typed errors", async () => {
    const model = join(root, "llama-gqa-sharded", "model");
    await expect(
      streamedMeanHiddenStates(model, [[1, 999]], { workDir: join(root, "bad-work") }),
    ).rejects.toMatchObject({ code: "LM_BAD_TOKEN_ID" });
    await expect(
      streamedMeanHiddenStates(model, [[]], { workDir: join(root, "bad-work") }),
    ).rejects.toMatchObject({ code: "LM_BAD_INPUT" });
  });
});
