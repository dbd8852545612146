import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAICompatibleClient } from "@cftkit/core";
import { type FaultServer, startFaultServer } from "@cftkit/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { openAIChatGenerator } from "./generators.js";
import { rejectsPathFor, runGenerativeReplay } from "./generative-replay.js";
import type { GenerationItem } from "./replay-types.js";
import { sharedGenerator } from "./shared-generator.js";

function syntheticItems(n: number): GenerationItem[] {
  return Array.from({ length: n }, (_, i) => {
    const instruction = `Write two sentences about topic number ${i}.`;
    return {
      id: `en-${i}`,
      messages: [{ role: "user" as const, content: instruction }],
      record: { id: `en-${i}`, language: "en", instruction, output: "x", source: "synthetic" },
    };
  });
}

const dir = mkdtempSync(join(tmpdir(), "cftkit-shared-"));
const servers: FaultServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const ids = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);

describe("sharedGenerator", () => {
  it("spreads items over servers with their own concurrency; each item is written exactly once, also when one server fails often", async () => {
    servers.push(await startFaultServer({ faultRate: 0, latencyMs: 5 }));
    servers.push(
      await startFaultServer({ faultRate: 0.3, faultKinds: ["http500", "reset"], seed: 4, latencyMs: 5 }),
    );
    const client = (url: string, concurrency: number) =>
      new OpenAICompatibleClient({
        baseUrl: url,
        model: "phase1",
        concurrency,
        maxRetries: 0,
        timeoutMs: 5000,
      });
    const generator = sharedGenerator([
      openAIChatGenerator(client(servers[0]!.url, 2), { maxTokens: 32 }),
      openAIChatGenerator(client(servers[1]!.url, 6), { maxTokens: 32 }),
    ]);
    expect(generator.concurrency).toBe(8);
    const items = syntheticItems(300);
    const out = join(dir, "gr.jsonl");
    const summary = await runGenerativeReplay({
      items,
      generator,
      out,
      filters: { language: null },
      itemRetries: 20,
    });
    expect(summary.failed.total).toBe(0);
    const written = [...ids(out), ...(summary.rejected.total > 0 ? ids(rejectsPathFor(out)) : [])];
    expect(written.length).toBe(300);
    expect(new Set(written)).toEqual(new Set(items.map((i) => i.id)));
    // Both servers answered, and never more at once than their client allows.
    for (const [i, s] of servers.entries()) {
      expect(s.stats.byKind.none).toBeGreaterThan(0);
      expect(s.stats.maxInFlight).toBeLessThanOrEqual(i === 0 ? 2 : 6);
    }
    expect(servers[1]!.stats.byKind.http500 + servers[1]!.stats.byKind.reset).toBeGreaterThan(0);
  });

  it("refuses servers that would generate differently", () => {
    const a = openAIChatGenerator(
      new OpenAICompatibleClient({ baseUrl: "http://127.0.0.1:1/v1", model: "m" }),
      { maxTokens: 8 },
    );
    const b = openAIChatGenerator(
      new OpenAICompatibleClient({ baseUrl: "http://127.0.0.1:2/v1", model: "m" }),
      { maxTokens: 9 },
    );
    expect(() => sharedGenerator([a, b])).toThrow(/must share model, template and sampling/);
  });
});
