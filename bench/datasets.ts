// `npm run bench -- datasets [rows]`: a generated OpenOrca-like JSONL (550,000 rows by default, the size of
// MOpenOrca) streams through stats → sample → export in a child process (peak RSS via maxRSS), next to a
// plain line-split + JSON.parse of the same file measured in the same run. Prints numbers, asserts nothing.
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AtomicFileWriter, SeededRandom } from "@cftkit/core";
import {
  createLoadSummary,
  exportAxolotl,
  sampleStream,
  StatsAccumulator,
  streamDataset,
} from "@cftkit/datasets";

const self = fileURLToPath(import.meta.url);
/** The sample size of the sample → export step (the paper's MOpenOrca keeps 50k rows per language). */
const SAMPLE = 50_000;

async function generate(path: string, rows: number): Promise<void> {
  const rng = new SeededRandom(42);
  const words = {
    en: "the of and to in is you that it he was for on are as with his they at be this have from".split(" "),
    fr: "le la les de des et est un une dans que qui pour sur avec pas plus par sont nous vous".split(" "),
    de: "der die das und ist nicht ein eine zu den mit von sich auf für dem auch es an werden".split(" "),
    ru: "и в не на я быть он с что а по это она этот к но они мы как из у который".split(" "),
    ja: "これ は です ます の に を が と も した する ある いる こと ない よう ため から".split(" "),
  } as Record<string, string[]>;
  const langs = Object.keys(words);
  const sentence = (lang: string, n: number) => {
    const w = words[lang]!;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(w[rng.int(w.length)]!);
    return out.join(lang === "ja" ? "" : " ");
  };
  const writer = await AtomicFileWriter.open(path);
  for (let i = 0; i < rows; i++) {
    const lang = langs[i % langs.length]!;
    const row = {
      id: `niv.${Math.floor(i / langs.length)}`,
      lang,
      system_prompt:
        i % 3 === 0
          ? ""
          : "You are an AI assistant. Provide a detailed answer so the user doesn't need to search outside.",
      question: `${sentence(lang, 40 + rng.int(80))}?`,
      response: `${sentence(lang, 30 + rng.int(120))}.`,
    };
    await writer.write(`${JSON.stringify(row)}\n`);
  }
  await writer.commit();
}

/** The baseline: read the file, split lines, JSON.parse each (no validation, no mapping). */
async function baseline(path: string): Promise<number> {
  let rows = 0;
  let carry = "";
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (carry + chunk).split("\n");
    carry = parts.pop()!;
    for (const line of parts) {
      if (line.length > 0) {
        JSON.parse(line);
        rows++;
      }
    }
  }
  if (carry.length > 0) {
    JSON.parse(carry);
    rows++;
  }
  return rows;
}

async function child(mode: string, path: string, dir: string): Promise<void> {
  const result: Record<string, number | string> = { mode };
  // Best of 2 by wall time; CPU time (user + system of this process) is reported too, as the machine
  // may be shared.
  const best = async (fn: () => Promise<number>): Promise<[number, number, number]> => {
    let seconds = Number.POSITIVE_INFINITY;
    let cpu = Number.POSITIVE_INFINITY;
    let rows = 0;
    for (let k = 0; k < 2; k++) {
      const t = performance.now();
      const c = process.cpuUsage();
      rows = await fn();
      const used = process.cpuUsage(c);
      seconds = Math.min(seconds, (performance.now() - t) / 1000);
      cpu = Math.min(cpu, (used.user + used.system) / 1e6);
    }
    return [rows, seconds, cpu];
  };
  if (mode === "baseline") {
    [result.rows, result.seconds, result.cpu_seconds] = await best(() => baseline(path));
  } else {
    // 1. load only: parse + validate + map every row to an InstructionRecord (best of 2)
    [result.rows, result.seconds, result.cpu_seconds] = await best(async () => {
      let n = 0;
      for await (const _ of streamDataset(path, { format: "openorca" })) n++;
      return n;
    });
    // 2. stats (one streamed pass)
    const t0s = performance.now();
    const summary = createLoadSummary();
    const acc = new StatsAccumulator();
    for await (const r of streamDataset(path, { format: "openorca", summary })) acc.add(r);
    const stats = acc.result();
    result.stats_seconds = (performance.now() - t0s) / 1000;
    result.languages = Object.keys(stats.languages).length;
    // 3. sample (reservoir, seeded) → export as Axolotl chat_template
    const t1 = performance.now();
    const sampled = sampleStream(streamDataset(path, { format: "openorca" }), {
      count: SAMPLE,
      seed: 1,
      total: stats.rows,
    });
    const exported = await exportAxolotl(sampled, {
      type: "chat_template",
      out: join(dir, "sample.chat.jsonl"),
    });
    result.sampled = exported.rows;
    result.sample_export_seconds = (performance.now() - t1) / 1000;
    // 4. full streamed export (every row) as Axolotl alpaca
    const t2 = performance.now();
    const all = await exportAxolotl(streamDataset(path, { format: "openorca" }), {
      type: "alpaca",
      out: join(dir, "all.alpaca.jsonl"),
    });
    result.exported = all.rows;
    result.full_export_seconds = (performance.now() - t2) / 1000;
  }
  result.max_rss_mb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(mode: string, path: string, dir: string): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--conditions=source", self, "--child", mode, path, dir],
    {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const args = process.argv.slice(2);
if (args[0] === "--child") {
  await child(args[1]!, args[2]!, args[3]!);
} else {
  const rows = Number(args[0] ?? 550_000);
  const dir = mkdtempSync(join(tmpdir(), "cftkit-bench-datasets-"));
  try {
    const file = join(dir, "mopenorca.jsonl");
    const tg = performance.now();
    await generate(file, rows);
    const mb = statSync(file).size / 2 ** 20;
    console.log(
      `generated ${rows.toLocaleString("en-US")} rows (${mb.toFixed(0)} MiB) in ${((performance.now() - tg) / 1000).toFixed(1)} s`,
    );
    const base = runChild("baseline", file, dir);
    const ours = runChild("ours", file, dir);
    const baseRate = base.rows! / base.seconds!;
    const ourRate = ours.rows! / ours.seconds!;
    console.log(
      `baseline  line-split + JSON.parse      : ${Math.round(baseRate).toLocaleString("en-US")} rows/s (${base.seconds!.toFixed(2)} s, peak RSS ${base.max_rss_mb!.toFixed(0)} MB)`,
    );
    console.log(
      `datasets  streamDataset (load+validate): ${Math.round(ourRate).toLocaleString("en-US")} rows/s (${ours.seconds!.toFixed(2)} s) — ${((100 * ourRate) / baseRate).toFixed(1)}% of baseline`,
    );
    const baseCpu = base.rows! / base.cpu_seconds!;
    const ourCpu = ours.rows! / ours.cpu_seconds!;
    console.log(
      `          by CPU time: baseline ${Math.round(baseCpu).toLocaleString("en-US")} rows/s, datasets ${Math.round(ourCpu).toLocaleString("en-US")} rows/s — ${((100 * ourCpu) / baseCpu).toFixed(1)}%`,
    );
    const statsRate = ours.rows! / ours.stats_seconds!;
    console.log(
      `          + stats (words, chars, langs) : ${Math.round(statsRate).toLocaleString("en-US")} rows/s (${ours.stats_seconds!.toFixed(2)} s) — ${((100 * statsRate) / baseRate).toFixed(1)}% of baseline`,
    );
    console.log(
      `          sample ${SAMPLE} + export chat   : ${ours.sampled} rows in ${ours.sample_export_seconds!.toFixed(2)} s`,
    );
    console.log(
      `          full export axolotl alpaca    : ${ours.exported} rows in ${ours.full_export_seconds!.toFixed(2)} s (${Math.round(ours.exported! / ours.full_export_seconds!).toLocaleString("en-US")} rows/s)`,
    );
    console.log(
      `          peak RSS (stats → sample → export, whole child): ${ours.max_rss_mb!.toFixed(0)} MB (limit 300 MB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
