import { describe, expect, it } from "vitest";
import { layerDiff, layerDiffOptionsSchema } from "./layer-diff.js";
import { randomLayersOptionsSchema } from "./random-layers.js";
import { spectrum, spectrumOptionsSchema } from "./spectrum.js";

describe("the freeze option schemas (shared by the API and the CLI flags)", () => {
  it("are what spectrum() and layerDiff() check before reading any file", async () => {
    await expect(spectrum("no-such-model", { topPercent: 150, mode: "freeze-top" })).rejects.toMatchObject({
      code: "FREEZE_BAD_OPTION",
      message: expect.stringMatching(/topPercent/),
    });
    await expect(
      spectrum("no-such-model", { topPercent: 50, mode: "freeze-top", threads: 0 }),
    ).rejects.toMatchObject({ code: "FREEZE_BAD_OPTION", message: expect.stringMatching(/threads/) });
    await expect(
      spectrum("no-such-model", { topPercent: 50, mode: "freeze-top", out: "" }),
    ).rejects.toMatchObject({ code: "FREEZE_BAD_OPTION", message: expect.stringMatching(/out/) });
    await expect(layerDiff("a", "b", { topK: 0 })).rejects.toMatchObject({ code: "FREEZE_BAD_OPTION" });
  });

  it("accept the documented ranges and describe every field", () => {
    expect(spectrumOptionsSchema.safeParse({ topPercent: 0, mode: "unfreeze-top" }).success).toBe(true);
    expect(spectrumOptionsSchema.safeParse({ topPercent: 50 }).success).toBe(false);
    expect(randomLayersOptionsSchema.safeParse({ k: 2, seed: -1 }).success).toBe(false);
    for (const schema of [spectrumOptionsSchema, layerDiffOptionsSchema, randomLayersOptionsSchema])
      for (const field of Object.values(schema.shape)) expect(field.description).toBeTruthy();
  });
});
