// Generative replay throughput: the crash-safe runner (journal + fsync batches + filters) against a loopback
// OpenAI-compatible server, next to the bare client on the same server in the same run (the baseline).
// Usage: npm run bench -- replay [items=2000] [concurrency=16]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAICompatibleClient } from "@cftkit/core";
import { startFaultServer } from "@cftkit/core/testing";
import { type GenerationItem, openAIChatGenerator, runGenerativeReplay } from "@cftkit/replay";

const n = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);
const dir = mkdtempSync(join(tmpdir(), "cftkit-bench-replay-"));

function items(tag: string): GenerationItem[] {
  return Array.from({ length: n }, (_, i) => {
    const instruction = `[${tag}] Explain idea number ${i} briefly.`;
    return {
      id: `${tag}-${i}`,
      messages: [{ role: "user" as const, content: instruction }],
      record: { id: `${tag}-${i}`, language: "en", instruction, output: "", source: "bench" },
    };
  });
}

function client(url: string, timeoutMs = 10_000) {
  return new OpenAICompatibleClient({
    baseUrl: url,
    model: "bench",
    concurrency,
    timeoutMs,
    maxRetries: 10,
    backoff: { baseMs: 5, maxMs: 50 },
  });
}

const rows: [string, number, string][] = [];
const clean = await startFaultServer();
async function bare(label: string, tag: string, count: number): Promise<void> {
  const c = client(clean.url);
  const list = items(tag).slice(0, count);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) await c.chat(list[next++]!.messages, { maxTokens: 256 });
    }),
  );
  if (label) rows.push([label, (count * 1000) / (performance.now() - t0), "no files"]);
}
await bare("", "warmup", Math.min(300, n)); // JIT and sockets warm
await bare("bare client (baseline)", "raw", n);
for (const fsyncEvery of [32, 1]) {
  const c = client(clean.url);
  const t0 = performance.now();
  const s = await runGenerativeReplay({
    items: items(`gr${fsyncEvery}`),
    generator: openAIChatGenerator(c, { maxTokens: 256 }),
    out: join(dir, `gr-${fsyncEvery}.jsonl`),
    fsyncEvery,
    filters: { language: "en" },
  });
  rows.push([
    `GR runner, fsync every ${fsyncEvery}`,
    (n * 1000) / (performance.now() - t0),
    `accepted ${s.accepted}, rejected ${s.rejected.total}`,
  ]);
}
await bare("bare client again (noise check)", "raw2", n);
await clean.close();
const faulty = await startFaultServer({ faultRate: 0.2, seed: 1, hangMs: 5_000, retryAfter: "0" });
{
  const c = client(faulty.url, 300);
  const t0 = performance.now();
  const s = await runGenerativeReplay({
    items: items("faulty"),
    generator: openAIChatGenerator(c, { maxTokens: 256 }),
    out: join(dir, "gr-faulty.jsonl"),
    filters: { language: null },
  });
  const st = c.stats;
  rows.push([
    "GR runner, 20% faults (timeout 300 ms)",
    (n * 1000) / (performance.now() - t0),
    `records ${s.accepted + s.rejected.total}/${n}, requests ${st.requests}, retries ${st.retries}`,
  ]);
}
await faulty.close();
rmSync(dir, { recursive: true, force: true });

console.log(`generative replay, ${n} items, concurrency ${concurrency}, loopback server in-process`);
const base = rows[0]![1];
for (const [label, rate, note] of rows) {
  console.log(
    `${label.padEnd(40)} ${rate.toFixed(0).padStart(6)} items/s  ×${(rate / base).toFixed(2)} of baseline  ${note}`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
