import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { embeddedGenerator } from "./generators.js";
import { runGenerativeReplayFiles } from "./replay-files.js";

const XQUAD = (lang: string) =>
  fileURLToPath(new URL(`../../../data/xquad/xquad.${lang}.json`, import.meta.url));

describe("generative replay where every response is filtered out", () => {
  it("tops up from every further candidate, then ends short with an empty buffer and every item counted as rejected", async () => {
    // A model that stops at once, as a barely trained tiny model does: every response is empty.
    const silent = {
      generate: async (prompts: unknown[]) => prompts.map(() => ({ text: "", finishReason: "stop" })),
    };
    const outDir = join(mkdtempSync(join(tmpdir(), "cftkit-gr-empty-")), "gr");
    const { summary, manifest } = await runGenerativeReplayFiles({
      phase2: XQUAD("de"),
      english: XQUAD("en"),
      count: 12,
      seed: 0,
      outDir,
      generator: embeddedGenerator(silent, { modelName: "silent", maxTokens: 8 }),
    });
    expect(summary.accepted).toBe(0);
    expect(manifest.status).toBe("short");
    // All 1,190 XQuAD twins were tried (12 chosen + 1,178 top-ups) before giving up.
    expect(manifest.output?.rejected).toEqual({ empty: 1190 });
    expect(manifest.output).toMatchObject({ target: 12, shortfall: 12, tried: 1190, toppedUp: 1178 });
    expect(manifest.counts).toEqual({ byLanguage: {}, bySource: {} });
  });
});
