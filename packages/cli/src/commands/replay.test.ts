import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFaultServer } from "@cftkit/core/testing";
import { loadDataset } from "@cftkit/datasets";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../program.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** Run the CLI in this process; captures stdout and stderr. */
async function inProcess(args: string[]): Promise<{ exit: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { exit: await runCli(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function jsonlIds(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-replay-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cftkit replay er / mix", () => {
  it("writes the ER buffer and the mixed file, one JSON document each", async () => {
    const er = await inProcess([
      "replay",
      "er",
      "--phase2",
      join(repoRoot, "data/xquad/xquad.de.json"),
      "--english",
      join(repoRoot, "data/xquad/xquad.en.json"),
      "--ratio",
      "0.10",
      "--seed",
      "1",
      "--out",
      join(dir, "er"),
      "--json",
    ]);
    expect(er.exit, er.stderr).toBe(0);
    const manifest = JSON.parse(er.stdout) as { selection: { selected: number; seed: number } };
    expect(manifest.selection).toMatchObject({ selected: 119, seed: 1 });
    const mix = await inProcess([
      "replay",
      "mix",
      "--phase2",
      join(repoRoot, "data/xquad/xquad.de.json"),
      "--replay",
      join(dir, "er/replay.jsonl"),
      "--seed",
      "2",
      "--out",
      join(dir, "mix/train.jsonl"),
      "--format",
      "chat_template",
      "--json",
    ]);
    expect(mix.exit, mix.stderr).toBe(0);
    const m = JSON.parse(mix.stdout) as { counts: { total: number; byLanguage: Record<string, number> } };
    expect(m.counts.total).toBe(1309);
    const rows = await loadDataset(join(dir, "mix/train.jsonl"), { format: "messages", language: "und" });
    expect(rows.length).toBe(1309);
  });

  it("rejects bad input with exit 2", async () => {
    const r = await inProcess(["replay", "er", "--english", "x.json", "--out", join(dir, "bad")]);
    expect(r.exit).toBe(2);
    expect(r.stderr).toContain("error[CLI_BAD_OPTION]");
  });
});

describe("cftkit replay gr: Ctrl-C", () => {
  it("stops cleanly on SIGINT (exit 1, resume hint, flushed files) and resumes to completion", async () => {
    const server = await startFaultServer({ latencyMs: 40 });
    try {
      const english = join(dir, "english.jsonl");
      const n = 150;
      writeFileSync(
        english,
        `${Array.from({ length: n }, (_, i) =>
          JSON.stringify({
            id: `e${i}`,
            language: "en",
            instruction: `Describe item ${i} in one sentence.`,
            output: "x",
            source: "s",
          }),
        ).join("\n")}\n`,
      );
      const out = join(dir, "gr");
      const args = [
        "replay",
        "gr",
        "--english",
        english,
        "--count",
        String(n),
        "--server",
        server.url,
        "--model",
        "m",
      ];
      const flags = ["--out", out, "--concurrency", "2", "--language", "none", "--json"];
      const child = spawn(process.execPath, ["packages/cli/bin/cftkit.js", ...args, ...flags], {
        cwd: repoRoot,
        env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const timer = setInterval(() => {
        if (jsonlIds(join(out, "replay.jsonl")).length >= 10) {
          clearInterval(timer);
          child.kill("SIGINT");
        }
      }, 10);
      const code = await exit;
      clearInterval(timer);
      expect(code, stderr).toBe(1);
      expect(stderr).toContain("error[REPLAY_INTERRUPTED]");
      expect(stderr).toContain("resume with the same command");
      const summary = JSON.parse(stdout) as {
        interrupted: boolean;
        accepted: number;
        pending: number;
        failed: { total: number };
      };
      expect(summary.interrupted).toBe(true);
      expect(summary.failed.total).toBe(0);
      expect(summary.pending).toBeGreaterThan(0);
      const written = readFileSync(join(out, "replay.jsonl"), "utf8");
      expect(written.endsWith("\n")).toBe(true);
      expect(jsonlIds(join(out, "replay.jsonl")).length).toBe(summary.accepted);
      expect(existsSync(join(out, "replay.jsonl.lock"))).toBe(false);

      const resumed = await inProcess([...args, ...flags]);
      expect(resumed.exit, resumed.stderr).toBe(0);
      const ids = [...jsonlIds(join(out, "replay.jsonl")), ...jsonlIds(join(out, "replay.rejects.jsonl"))];
      expect(ids.length).toBe(n);
      expect(new Set(ids).size).toBe(n);
    } finally {
      await server.close();
    }
  });
});
