import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAICompatibleClient } from "@cftkit/core";
import { startFaultServer } from "@cftkit/core/testing";
import { loadDataset, sampleRecords } from "@cftkit/datasets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectReplayItems } from "./replay-selection.js";
import { translateDataset, translationSideFiles } from "./translate-dataset.js";
import { translateDatasetFile } from "./translate-file.js";

let dir: string;
let openorca: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-translate-"));
  // OpenOrca's layout: id, system_prompt, question, response.
  openorca = join(dir, "openorca.jsonl");
  const rows = Array.from({ length: 30 }, (_, i) => ({
    id: `niv.${i}`,
    system_prompt: i % 2 ? "You are a helpful assistant." : "",
    question: i === 7 ? "EMPTY please" : `Question number ${i}?`,
    response: `Answer ${i}.`,
  }));
  writeFileSync(openorca, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The "translator": tags the text with the target language; answers empty for one question. */
function respond(prompt: string): string {
  const to = /into (\w+)\./.exec(prompt)?.[1] ?? "?";
  const text = prompt.split("\n").slice(1).join("\n");
  return text.includes("EMPTY") ? "" : `[${to}] ${text}`;
}

const lines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("data translate (OpenOrca → MOpenOrca-style) through a loopback server", () => {
  it("translates every field, keeps parallel ids, rejects empty answers, survives faults and resumes after an interruption", async () => {
    const server = await startFaultServer({
      respond,
      faultRate: 0.2,
      faultKinds: ["http500", "http429"],
      retryAfter: "0",
      maxFaultsPerItem: 2,
    });
    try {
      const records = await loadDataset(openorca);
      const client = new OpenAICompatibleClient({
        baseUrl: server.url,
        model: "translator",
        concurrency: 4,
        backoff: { baseMs: 1, maxMs: 5, jitter: 0 },
      });
      const out = join(dir, "mopenorca.jsonl");
      // First run: interrupted (as Ctrl-C would) once 10 translations are finished.
      const controller = new AbortController();
      const stopAtTen = {
        start() {},
        update(u: { done?: number }) {
          if ((u.done ?? 0) >= 10) controller.abort(new Error("SIGINT"));
        },
        stop() {},
      };
      const partial = await translateDataset({
        records,
        languages: ["de", "fr"],
        client,
        out,
        signal: controller.signal,
        progress: stopAtTen,
      });
      expect(partial.interrupted).toBe(true);
      expect(partial.pending).toBeGreaterThan(0);
      expect(partial.accepted + partial.rejected).toBeGreaterThanOrEqual(10);
      expect(partial.accepted + partial.rejected + partial.failed + partial.pending).toBe(60);
      const requestsBefore = server.stats.byEndpoint.chat;

      const done = await translateDataset({ records, languages: ["de", "fr"], client, out });
      expect(done.resumed).toBe(partial.accepted + partial.rejected);
      expect(done).toMatchObject({ requested: 60, accepted: 58, rejected: 2, failed: 0, pending: 0 });
      expect(done.byLanguage).toEqual({
        de: { accepted: 29, rejected: 1, failed: 0, pending: 0 },
        fr: { accepted: 29, rejected: 1, failed: 0, pending: 0 },
      });
      expect(server.stats.byEndpoint.chat).toBeGreaterThan(requestsBefore);

      const translated = await loadDataset(out, { format: "cftkit" });
      expect(new Set(translated.map((r) => r.id)).size).toBe(58);
      const byId = new Map(records.map((r) => [r.id, r]));
      for (const r of translated) {
        const source = byId.get(r.id.split("@")[0]!)!;
        expect(r.parallel_id).toBe(source.parallel_id ?? source.id);
        expect(r.instruction).toBe(`[${r.language === "de" ? "German" : "French"}] ${source.instruction}`);
        expect(r.output).toBe(`[${r.language === "de" ? "German" : "French"}] ${source.output}`);
        if (source.system) expect(r.system).toContain(source.system);
      }
      const rejects = lines(join(dir, "mopenorca.rejects.jsonl"));
      expect(rejects.map((r) => [r.source_id, r.reason, r.field])).toEqual(
        expect.arrayContaining([
          ["niv.7", "empty", "instruction"],
          ["niv.7", "empty", "instruction"],
        ]),
      );
      const manifest = JSON.parse(readFileSync(join(dir, "mopenorca.manifest.json"), "utf8")) as {
        accepted: number;
      };
      expect(manifest.accepted).toBe(58);

      // Replay finds the English twins of the translations (MOpenOrca → OpenOrca).
      const selection = selectReplayItems(translated, records, { ratio: 0.1, seed: 0 });
      expect(selection.mode).toBe("twins");
      expect(selection.records).toHaveLength(Math.round(0.1 * 58));

      // A third run has nothing left to do and sends nothing.
      const requests = server.stats.byEndpoint.chat;
      const again = await translateDataset({ records, languages: ["de", "fr"], client, out });
      expect(again.resumed).toBe(60);
      expect(server.stats.byEndpoint.chat).toBe(requests);
      // Another model on the same file is refused.
      const other = new OpenAICompatibleClient({ baseUrl: server.url, model: "other" });
      await expect(
        translateDataset({ records, languages: ["de"], client: other, out }),
      ).rejects.toMatchObject({
        code: "TRANSLATE_SETTINGS_CHANGED",
      });
    } finally {
      await server.close();
    }
  });
});

describe("translateDatasetFile: the file in, a seeded sample out", () => {
  it("reads the file, translates a seeded sample of --count records, and refuses a bad count", async () => {
    const server = await startFaultServer({ respond });
    try {
      const client = new OpenAICompatibleClient({ baseUrl: server.url, model: "translator" });
      const out = join(dir, "sample.jsonl");
      const summary = await translateDatasetFile(openorca, {
        count: 4,
        seed: 2,
        to: "de",
        client,
        out,
      });
      expect(summary).toMatchObject({ requested: 4, pending: 0 });
      const side = translationSideFiles(out);
      expect(side).toEqual({
        rejects: join(dir, "sample.rejects.jsonl"),
        manifest: join(dir, "sample.manifest.json"),
        settings: join(dir, "sample.jsonl.settings.json"),
      });
      expect(summary.rejectsOut).toBe(side.rejects);
      expect(JSON.parse(readFileSync(side.manifest, "utf8"))).toMatchObject({
        kind: "translate",
        requested: 4,
      });
      expect(JSON.parse(readFileSync(side.settings, "utf8"))).toMatchObject({ model: "translator" });
      expect(summary.accepted + summary.rejected).toBe(4);
      const records = await loadDataset(openorca);
      const sampled = sampleRecords(records, { count: 4, seed: 2 }).map((r) => r.id);
      const translated = lines(out).map((r) => r.parallel_id);
      for (const id of translated) expect(sampled).toContain(id);
      await expect(
        translateDatasetFile(openorca, { count: 0, to: "de", client, out: join(dir, "x.jsonl") }),
      ).rejects.toMatchObject({ code: "REPLAY_BAD_OPTION" });
      await expect(
        translateDatasetFile(openorca, { to: "de,FR", client, out: join(dir, "x.jsonl") }),
      ).rejects.toMatchObject({
        code: "REPLAY_BAD_OPTION",
        message: expect.stringContaining(
          '--to must be language codes such as de,fr or multialpaca; got "de,FR"',
        ),
      });
    } finally {
      await server.close();
    }
  });
});
