import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateWithModelFolder, initModelFolder } from "./model-folder-tasks.js";

describe("model folder tasks: init a folder, generate from one", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-model-folder-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a tiny model and generates from it reproducibly (greedy and seeded sampling)", async () => {
    const out = join(dir, "tiny");
    const made = await initModelFolder(out, { seed: 5 });
    expect(made).toMatchObject({ out, preset: "tiny", seed: 5, dtype: "F32", num_hidden_layers: 2 });
    expect(made.parameters).toBeGreaterThan(0);
    expect(existsSync(join(out, "config.json"))).toBe(true);
    const greedy = await generateWithModelFolder(out, ["Hello", "Bonjour"], { maxNewTokens: 4 });
    expect(greedy).toHaveLength(2);
    expect(greedy[0]!.tokenIds.length).toBeLessThanOrEqual(4);
    const sampled = (seed: number) =>
      generateWithModelFolder(out, ["Hello"], { maxNewTokens: 6, temperature: 1, seed });
    expect((await sampled(1))[0]!.tokenIds).toEqual((await sampled(1))[0]!.tokenIds);
  });

  it("refuses settings out of range before touching the folder", async () => {
    await expect(initModelFolder(join(dir, "x"), { seed: -1 })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
    await expect(generateWithModelFolder(join(dir, "missing"), ["a"], { topP: 0 })).rejects.toMatchObject({
      code: "LM_BAD_OPTION",
    });
  });
});
