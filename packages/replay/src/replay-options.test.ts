import { describe, expect, it } from "vitest";
import { z } from "zod";
import { qualityFiltersOf, replayGenerationSchema } from "./replay-generation-options.js";
import { replayGeneratorFor } from "./replay-generator-source.js";
import { replaySamplingSchema } from "./replay-sampling.js";
import { mixManifestPath, replayMixFilesSchema } from "./replay-mix-options.js";
import { replayInputsSchema, replaySizeSchema } from "./replay-selection.js";
import { openAIServerSchema } from "./server-options.js";

describe("the replay option schemas (shared with `cftkit replay er|gr` flags)", () => {
  it("fill the defaults the CLI shows", () => {
    expect(replaySizeSchema.parse({ ratio: 0.1 })).toEqual({ ratio: 0.1, seed: 0, mode: "auto" });
    expect(replaySamplingSchema.parse({})).toEqual({ maxTokens: 512, temperature: 0, topP: 1 });
    expect(openAIServerSchema(300_000).parse({ server: "http://h/v1", model: "m" })).toEqual({
      server: "http://h/v1",
      model: "m",
      concurrency: 8,
      timeoutMs: 300_000,
      maxRetries: 6,
    });
  });

  it("declare the replay run's files with the path role each has (read or written)", () => {
    const inputs = replayInputsSchema.parse({ english: "en.jsonl", count: 5, outDir: "replay/er" });
    expect(inputs).toEqual({ english: "en.jsonl", count: 5, seed: 0, mode: "auto", outDir: "replay/er" });
    const roleOf = (f: z.ZodType): unknown =>
      f.meta()?.path ?? (f instanceof z.ZodOptional ? roleOf(f.unwrap() as z.ZodType) : undefined);
    const roles = Object.fromEntries(
      Object.entries(replayInputsSchema.shape).map(([k, f]) => [k, roleOf(f)]),
    );
    expect(roles).toMatchObject({
      english: "input",
      phase2: "input",
      exclude: "input",
      outDir: "output-folder",
    });
    expect(replayInputsSchema.safeParse({ english: "", outDir: "o" }).success).toBe(false);
    expect(replayMixFilesSchema.parse({ phase2: "p", replay: ["r"], out: "mix/train.jsonl" }).seed).toBe(0);
    expect(replayMixFilesSchema.shape.out.meta()?.path).toBe("output-file");
    expect(mixManifestPath("mix/train.jsonl")).toBe("mix/train.manifest.json");
    expect(mixManifestPath("mix/train")).toBe("mix/train.manifest.json");
  });

  it("are checked by replayGeneratorFor before any model is loaded", async () => {
    await expect(replayGeneratorFor({ modelDir: "no-such-model" }, { topP: 0 })).rejects.toMatchObject({
      code: "REPLAY_BAD_OPTION",
      message: expect.stringMatching(/topP/),
    });
    await expect(replayGeneratorFor({ initTiny: 0 }, { maxTokens: 0 })).rejects.toMatchObject({
      code: "REPLAY_BAD_OPTION",
    });
  });

  it("turn the flat generation choices into quality filters ('none' turns the language check off)", () => {
    const defaults = replayGenerationSchema.parse({});
    expect(qualityFiltersOf(defaults)).toEqual({
      empty: true,
      truncated: true,
      refusal: true,
      language: "en",
      minChars: 0,
    });
    const loose = replayGenerationSchema.parse({ filterRefusal: false, language: "none", minChars: 5 });
    expect(qualityFiltersOf(loose)).toMatchObject({ refusal: false, language: null, minChars: 5 });
    expect(replayGenerationSchema.safeParse({ batchSize: 0 }).success).toBe(false);
  });
});
