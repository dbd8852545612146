import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFaultServer } from "@cftkit/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCftkit } from "../testing/run-cftkit.js";

let dir: string;
let input: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cftkit-data-translate-"));
  input = join(dir, "openorca.jsonl");
  const rows = Array.from({ length: 5 }, (_, i) => ({
    id: `flan.${i}`,
    system_prompt: "",
    question: `Question ${i}?`,
    response: `Answer ${i}.`,
  }));
  writeFileSync(input, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cftkit data translate", () => {
  it("translates into each language with per-language counts, and guards its output path", async () => {
    const server = await startFaultServer({
      respond: (p) => `translated: ${p.split("\n").slice(1).join(" ")}`,
    });
    try {
      const out = join(dir, "mopenorca.jsonl");
      const args = [
        "data",
        "translate",
        input,
        "--to",
        "de,ja",
        "--out",
        out,
        "--server",
        server.url,
        "--model",
        "mt",
      ];
      const r = await runCftkit([...args, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as {
        byLanguage: Record<string, { accepted: number }>;
        accepted: number;
      };
      expect(summary.accepted).toBe(10);
      expect(summary.byLanguage.ja!.accepted).toBe(5);
      const rows = readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { parallel_id: string; language: string });
      expect(
        rows
          .filter((x) => x.language === "de")
          .map((x) => x.parallel_id)
          .sort(),
      ).toEqual(["flan.0", "flan.1", "flan.2", "flan.3", "flan.4"]);
      const same = await runCftkit([
        "data",
        "translate",
        input,
        "--to",
        "de",
        "--out",
        input,
        "--server",
        server.url,
        "--model",
        "mt",
      ]);
      expect(same.code).toBe(2);
      expect(same.stderr).toContain("error[CLI_OUTPUT_IS_INPUT]");
      const bad = await runCftkit([
        "data",
        "translate",
        input,
        "--to",
        "German",
        "--out",
        join(dir, "x.jsonl"),
        "--server",
        server.url,
        "--model",
        "mt",
      ]);
      expect(bad.code).toBe(2);
    } finally {
      await server.close();
    }
  });
});
