import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CausalLM } from "./causal-lm.js";
import {
  describeGeneration,
  describeInitModelFolder,
  generateWithModelFolder,
  generationDocument,
  initModelFolder,
  tokenLogitsOfModelFolder,
} from "./model-folder-tasks.js";
import { tokenIdsSchema } from "./model-settings.js";
import { tokenLogits } from "./token-logits.js";

describe("model folder tasks: init a folder, generate from one", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-model-folder-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a tiny model and generates from it reproducibly (greedy and seeded sampling)", async () => {
    const out = join(dir, "tiny");
    const made = await initModelFolder(out, { seed: 5 });
    expect(made).toMatchObject({ out, preset: "tiny", seed: 5, dtype: "F32", num_hidden_layers: 2 });
    expect(made.parameters).toBeGreaterThan(0);
    expect(describeInitModelFolder(made)).toBe(`wrote ${out} (tiny, ${made.parameters} parameters, seed 5)`);
    expect(existsSync(join(out, "config.json"))).toBe(true);
    const greedy = await generateWithModelFolder(out, ["Hello", "Bonjour"], { maxNewTokens: 4 });
    expect(greedy).toHaveLength(2);
    expect(greedy[0]!.tokenIds.length).toBeLessThanOrEqual(4);
    const sampled = (seed: number) =>
      generateWithModelFolder(out, ["Hello"], { maxNewTokens: 6, temperature: 1, seed });
    expect((await sampled(1))[0]!.tokenIds).toEqual((await sampled(1))[0]!.tokenIds);
  });

  it("a generation document pairs each prompt with its response and names the seed", async () => {
    const out = join(dir, "doc");
    await initModelFolder(out, { seed: 6 });
    const settings = { maxNewTokens: 5, temperature: 1, seed: 3 };
    const doc = await generationDocument(out, ["Hi", "Hallo"], settings);
    const direct = await generateWithModelFolder(out, ["Hi", "Hallo"], settings);
    expect(doc).toEqual({
      seed: 3,
      results: direct.map((r, i) => ({
        prompt: ["Hi", "Hallo"][i],
        text: r.text,
        token_ids: r.tokenIds,
        finish_reason: r.finishReason,
      })),
    });
    expect(describeGeneration(doc)).toEqual(direct.map((r) => r.text));
  });

  it("token logits of a folder: the loaded model's forward pass, as the --json document", async () => {
    const out = join(dir, "logits");
    await initModelFolder(out, { seed: 7 });
    const ids = tokenIdsSchema.parse(" 256, 72,101");
    expect(ids).toEqual([256, 72, 101]);
    const doc = await tokenLogitsOfModelFolder(out, ids);
    const model = await CausalLM.load(out);
    const own = await tokenLogits(model, ids);
    model.dispose();
    expect(doc).toEqual({ logits: own.logits, hidden_mean: own.hiddenMean });
    expect(() => tokenIdsSchema.parse("1,,2")).toThrow(
      expect.objectContaining({
        code: "CLI_BAD_TOKEN_IDS",
        message: '--token-ids expects comma-separated non-negative integers, got "1,,2"',
      }),
    );
    expect(() => tokenIdsSchema.parse("1,-2")).toThrow(
      expect.objectContaining({ code: "CLI_BAD_TOKEN_IDS" }),
    );
  });

  it("refuses settings out of range before touching the folder", async () => {
    await expect(initModelFolder(join(dir, "x"), { seed: -1 })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
    await expect(generateWithModelFolder(join(dir, "missing"), ["a"], { topP: 0 })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
    const stop = [7] as unknown as string[];
    await expect(generateWithModelFolder(join(dir, "missing"), ["a"], { stop })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
  });
});
