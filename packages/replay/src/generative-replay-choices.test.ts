import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFaultServer } from "@cftkit/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  replayGeneratorChoicesSchema,
  replayGeneratorOf,
  runGenerativeReplayOf,
} from "./generative-replay-choices.js";
import { replayInputsSchema } from "./replay-selection.js";
import { openAIClientOf, openAIServerSchema } from "./server-options.js";
import { translationLanguages } from "./translate-file.js";

const repoRoot = join(import.meta.dirname, "../../..");
const dir = mkdtempSync(join(tmpdir(), "cftkit-gr-choices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues.map((i) => i.message) ?? [];

describe("the rules across replay options (the messages `cftkit replay` prints)", () => {
  it("a replay run takes exactly one of ratio or count", () => {
    const base = { english: "en.jsonl", outDir: "out" };
    expect(messages(replayInputsSchema.safeParse(base))).toEqual(["give exactly one of --ratio or --count"]);
    const both = replayInputsSchema.safeParse({ ...base, ratio: 0.1, count: 3 });
    expect(messages(both)).toEqual(["give exactly one of --ratio or --count"]);
    expect(replayInputsSchema.safeParse({ ...base, count: 3 }).success).toBe(true);
  });

  it("generative replay takes exactly one generator, and a server needs its model", () => {
    const one = "give exactly one generator: --server URL --model NAME, --model-dir DIR or --init-tiny SEED";
    expect(messages(replayGeneratorChoicesSchema.safeParse({}))).toEqual([one]);
    expect(messages(replayGeneratorChoicesSchema.safeParse({ initTiny: 1, modelDir: "m" }))).toEqual([one]);
    const noModel = replayGeneratorChoicesSchema.safeParse({ server: "http://h/v1" });
    expect(noModel.error?.issues).toMatchObject([
      { code: "invalid_type", path: ["model"], message: "--model is required with --server" },
    ]);
    const tiny = replayGeneratorChoicesSchema.parse({ initTiny: 2 });
    expect(tiny).toMatchObject({ initTiny: 2, concurrency: 8, timeoutMs: 120_000, maxTokens: 512 });
  });

  it("replayGeneratorOf refuses broken rules before loading anything", async () => {
    await expect(replayGeneratorOf({ modelDir: "no-such-model", initTiny: 1 })).rejects.toMatchObject({
      code: "REPLAY_BAD_OPTION",
      message: expect.stringContaining("give exactly one generator"),
    });
  });

  it("translation targets: multialpaca's 11 languages or codes; anything else is null", () => {
    expect(translationLanguages("multialpaca")).toHaveLength(11);
    expect(translationLanguages("de, fr,zh-Hant")).toEqual(["de", "fr", "zh-Hant"]);
    expect(translationLanguages("de,FR")).toBeNull();
    expect(translationLanguages("xx_YY")).toBeNull();
  });

  it("openAIClientOf: the server choices, with the API key from the environment by default", () => {
    const choices = openAIServerSchema(1000).parse({ server: "http://127.0.0.1:9/v1", model: "m" });
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = "from-env";
    try {
      const client = openAIClientOf(choices) as unknown as { apiKey?: string; model: string };
      expect(client.model).toBe("m");
      expect(JSON.stringify(client)).toContain("from-env");
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });
});

describe("runGenerativeReplayOf: `cftkit replay gr` as one call", () => {
  it("generates through a real HTTP server for the chosen XQuAD items, with the choices' filters", async () => {
    const server = await startFaultServer({ model: "phase1", respond: () => "A short English answer." });
    try {
      const outDir = join(dir, "gr");
      const inputs = replayInputsSchema.parse({
        phase2: join(repoRoot, "data/xquad/xquad.de.json"),
        english: join(repoRoot, "data/xquad/xquad.en.json"),
        count: 5,
        seed: 3,
        outDir,
      });
      const { summary, manifest } = await runGenerativeReplayOf(inputs, {
        server: server.url,
        model: "phase1",
        minChars: 3,
        backoffMs: 1,
      });
      expect(summary).toMatchObject({ requested: 5, accepted: 5, pending: 0 });
      expect(manifest).toMatchObject({
        status: "complete",
        selection: { mode: "twins", selected: 5, seed: 3 },
      });
      expect(manifest.generator).toMatchObject({ model: "phase1" });
      expect(manifest.filters).toMatchObject({ minChars: 3, language: "en" });
      expect(readFileSync(join(outDir, "replay.jsonl"), "utf8").trim().split("\n")).toHaveLength(5);
    } finally {
      await server.close();
    }
  });
});
