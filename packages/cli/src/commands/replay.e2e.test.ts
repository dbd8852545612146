import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SeededRandom } from "@cftkit/core";
import { type FaultServer, faultItemKey, startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Done-when of issue 8: a GR run of 1,000 items through the CLI against a server that fails a fifth of the
 * requests (500, 429 + Retry-After, reset mid-body, hang past the timeout), SIGKILLed at a seeded random point
 * and restarted, ends with exactly 1,000 unique records and never re-requests an item it had recorded.
 */

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const N = 1000;
const TOPICS = [
  "rivers",
  "volcanoes",
  "bread",
  "bicycles",
  "libraries",
  "bees",
  "trains",
  "winter",
  "gardens",
  "music",
];

let dir: string;
let server: FaultServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-replay-kill-"));
  server = await startFaultServer({
    faultRate: 0.2,
    faultKinds: ["http500", "http429", "reset", "hang"],
    seed: 2024,
    hangMs: 10_000,
    retryAfter: "1",
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function instruction(i: number): string {
  return `Write two sentences about ${TOPICS[i % TOPICS.length]} for reader number ${i}.`;
}

function lines(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const parts = text.split("\n");
  // The last element is "" when the file ends with a newline, or a torn line otherwise: ignore it.
  return parts.slice(0, -1).filter((l) => l.trim() !== "");
}

function ids(out: string): string[] {
  return [...lines(join(out, "replay.jsonl")), ...lines(join(out, "replay.rejects.jsonl"))].map(
    (l) => (JSON.parse(l) as { id: string }).id,
  );
}

function startGr(out: string, english: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      "packages/cli/bin/cftkit.js",
      "replay",
      "gr",
      "--english",
      english,
      "--count",
      String(N),
      "--seed",
      "0",
      "--server",
      server.url,
      "--model",
      "phase1",
      "--out",
      out,
      "--concurrency",
      "16",
      "--timeout-ms",
      "1500",
      "--max-retries",
      "10",
      "--backoff-ms",
      "5",
      "--backoff-max-ms",
      "50",
      "--fsync-every",
      "16",
      "--language",
      "none",
      "--json",
    ],
    { cwd: repoRoot, env: { ...process.env, CFTKIT_FROM_SOURCE: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

describe("cftkit replay gr: SIGKILL at a random point and restart", () => {
  it("ends with exactly 1,000 unique records and no request repeated for a recorded item", async () => {
    const english = join(dir, "english.jsonl");
    writeFileSync(
      english,
      `${Array.from({ length: N }, (_, i) =>
        JSON.stringify({
          id: `en-${i}`,
          language: "en",
          instruction: instruction(i),
          output: "original",
          source: "synthetic",
          parallel_id: `p${i}`,
        }),
      ).join("\n")}\n`,
    );
    const out = join(dir, "gr");
    // Seeded random point (after this many records); CFTKIT_REPLAY_KILL_SEED picks another.
    const killAt = 100 + new SeededRandom(Number(process.env.CFTKIT_REPLAY_KILL_SEED ?? 8)).int(700);
    const first = startGr(out, english);
    const firstExit = exited(first);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (ids(out).length >= killAt) {
          clearInterval(timer);
          first.kill("SIGKILL");
          resolve();
        }
      }, 10);
      firstExit.then((r) => {
        clearInterval(timer);
        reject(
          new Error(
            `the first run ended before the kill point (${killAt}): ${r.code} ${r.stderr.slice(-2000)}`,
          ),
        );
      });
    });
    const killed = await firstExit;
    expect(killed.signal).toBe("SIGKILL");

    const finished = ids(out);
    expect(new Set(finished).size).toBe(finished.length);
    expect(finished.length).toBeGreaterThanOrEqual(killAt);
    expect(finished.length).toBeLessThan(N);
    const requestsAtKill = new Map(
      finished.map((id) => [
        id,
        server.stats.items.get(faultItemKey(instruction(Number(id.slice(3)))))!.requests,
      ]),
    );
    // A crash in the middle of a write leaves a torn last line: simulate one on top of the kill.
    appendFileSync(join(out, "replay.jsonl"), '{"id":"en-999999","language":"en","instruction":"Wri');

    const second = await exited(startGr(out, english));
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(second.stdout) as {
      requested: number;
      accepted: number;
      rejected: { total: number };
      failed: { total: number };
      pending: number;
      resumed: { accepted: number; rejected: number; tornBytes: number };
      generatorStats: { requests: number; retries: number; failures: Record<string, number> };
    };
    expect(summary.requested).toBe(N);
    expect(summary.accepted + summary.rejected.total).toBe(N);
    expect(summary.failed.total).toBe(0);
    expect(summary.pending).toBe(0);
    expect(summary.resumed.accepted + summary.resumed.rejected).toBe(finished.length);
    expect(summary.resumed.tornBytes).toBeGreaterThan(0);

    const all = ids(out);
    expect(all.length).toBe(N);
    expect(new Set(all).size).toBe(N);
    expect(readFileSync(join(out, "replay.jsonl"), "utf8").endsWith("\n")).toBe(true);
    // No recorded item was requested again after the restart.
    for (const [id, before] of requestsAtKill) {
      expect(server.stats.items.get(faultItemKey(instruction(Number(id.slice(3)))))!.requests, id).toBe(
        before,
      );
    }
    // The server really failed about a fifth of the requests, in every way.
    const k = server.stats.byKind;
    const faults = k.http500 + k.http429 + k.reset + k.hang;
    expect(faults / (faults + k.none)).toBeGreaterThan(0.15);
    for (const kind of ["http500", "http429", "reset", "hang"] as const) expect(k[kind]).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { status: string };
    expect(manifest.status).toBe("complete");
    process.stderr.write(
      `replay kill test: killed at ${finished.length} records (target ${killAt}); server ${JSON.stringify(k)}; second run client ${JSON.stringify(summary.generatorStats)}\n`,
    );
  });
});
