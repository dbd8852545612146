import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCftkit } from "../testing/run-cftkit.js";

// The paper's Table-5 pair as files: a MultiAlpaca-shaped Phase-2 .jsonl and Alpaca's .json array.
const ALPACA = join(repoRoot, "data/alpaca/alpaca_5000.json");
const PHASE2_SIZE = 250; // round(0.05 × 250) = 13 (12.5 rounds up), round(0.10 × 250) = 25

let dir: string;
let phase2: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-replay-modes-cli-"));
  phase2 = join(dir, "multialpaca.jsonl");
  const langs = ["de", "fr", "es", "ru", "zh"];
  const rows = Array.from({ length: PHASE2_SIZE }, (_, i) => ({
    instruction: `Nenne ${i} Dinge.`,
    input: "",
    output: `Antwort ${i}`,
    lang: langs[i % langs.length],
  }));
  writeFileSync(phase2, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n").length;

describe("cftkit replay er|gr for MultiAlpaca ↔ Alpaca", () => {
  it("ER and GR (through a loopback server) give round(ratio × |Phase 2|) records and say the mode on stderr", async () => {
    const er = await runCftkit([
      "replay",
      "er",
      "--phase2",
      phase2,
      "--english",
      ALPACA,
      "--ratio",
      "0.10",
      "--out",
      join(dir, "er"),
    ]);
    expect(er.code, er.stderr).toBe(0);
    expect(er.stderr).toMatch(/mode counterpart .*round\(0\.1 × \|Phase 2\| = 250\) = 25/);
    expect(lines(join(dir, "er/replay.jsonl"))).toBe(25);

    const server = await startFaultServer();
    try {
      const gr = await runCftkit([
        "replay",
        "gr",
        "--phase2",
        phase2,
        "--english",
        ALPACA,
        "--ratio",
        "0.05",
        "--seed",
        "2",
        "--out",
        join(dir, "gr"),
        "--server",
        server.url,
        "--model",
        "phase1",
        "--language",
        "none",
        "--json",
      ]);
      expect(gr.code, gr.stderr).toBe(0);
      expect(gr.stderr).toContain("mode counterpart");
      const out = JSON.parse(gr.stdout) as { manifest: { status: string; output: { accepted: number } } };
      expect(out.manifest.status).toBe("complete");
      expect(out.manifest.output.accepted).toBe(13);
      expect(lines(join(dir, "gr/replay.jsonl"))).toBe(13);
    } finally {
      await server.close();
    }
  });

  it("exits 2 naming the cause on a total shortfall, and refuses --ratio without --phase2", async () => {
    const twins = await runCftkit([
      "replay",
      "er",
      "--phase2",
      phase2,
      "--english",
      ALPACA,
      "--ratio",
      "0.1",
      "--mode",
      "twins",
      "--out",
      join(dir, "t"),
    ]);
    expect(twins.code).toBe(2);
    expect(twins.stderr).toMatch(/error\[REPLAY_NO_CANDIDATES\]: no twins found/);
    const noPhase2 = await runCftkit([
      "replay",
      "er",
      "--english",
      ALPACA,
      "--ratio",
      "0.1",
      "--out",
      join(dir, "n"),
    ]);
    expect(noPhase2.code).toBe(2);
    expect(noPhase2.stderr).toContain("error[REPLAY_RATIO_NEEDS_PHASE2]");
    const small = join(dir, "small.json");
    writeFileSync(
      small,
      JSON.stringify((JSON.parse(readFileSync(ALPACA, "utf8")) as unknown[]).slice(0, 10)),
    );
    const short = await runCftkit([
      "replay",
      "er",
      "--phase2",
      phase2,
      "--english",
      small,
      "--ratio",
      "0.1",
      "--out",
      join(dir, "s"),
    ]);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stderr).toMatch(/WARNING: replay is SHORT by 15 of 25/);
    expect(JSON.parse(readFileSync(join(dir, "s/manifest.json"), "utf8"))).toMatchObject({ status: "short" });
  });
});
