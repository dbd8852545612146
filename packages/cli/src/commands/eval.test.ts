import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scoreSquad, type SquadDataset } from "@cftkit/metrics";
import { afterAll, describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cftkit-cli-eval-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cftkit(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["packages/cli/bin/cftkit.js", ...args], {
    cwd: repo,
    env: { ...process.env, CFTKIT_FROM_SOURCE: "1" },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("cftkit eval", () => {
  it("qa --json scores predictions with the SQuAD and MLQA rules", () => {
    const path = join(repo, "data/xquad/xquad.es.json");
    const dataset = JSON.parse(readFileSync(path, "utf8")) as SquadDataset;
    const preds: Record<string, string> = {};
    let i = 0;
    for (const a of dataset.data)
      for (const p of a.paragraphs)
        for (const q of p.qas) {
          const gold = q.answers[0]!.text;
          preds[q.id] =
            i % 3 === 0 ? `la ${gold}!` : i % 3 === 1 ? gold.split(" ")[0]! : "respuesta equivocada";
          i++;
        }
    const predFile = join(tmp, "preds.json");
    writeFileSync(predFile, JSON.stringify(preds));
    const squad = cftkit(["eval", "qa", "--dataset", path, "--predictions", predFile, "--json"]);
    expect(squad.status, squad.stderr).toBe(0);
    const s = JSON.parse(squad.stdout) as { exact_match: number; f1: number; count: number };
    expect(s.count).toBe(1190);
    const api = scoreSquad(dataset, preds);
    expect(s.exact_match).toBe(api.exact_match);
    expect(s.f1).toBe(api.f1);
    const mlqa = cftkit([
      "eval",
      "qa",
      "--dataset",
      path,
      "--predictions",
      predFile,
      "--scorer",
      "mlqa",
      "--lang",
      "es",
      "--json",
    ]);
    expect(mlqa.status, mlqa.stderr).toBe(0);
    const m = JSON.parse(mlqa.stdout) as { exact_match: number };
    // MLQA drops the Spanish article "la" and "!" so more predictions match exactly than under SQuAD rules.
    expect(m.exact_match).toBeGreaterThan(s.exact_match);

    const bad = cftkit([
      "eval",
      "qa",
      "--dataset",
      path,
      "--predictions",
      predFile,
      "--scorer",
      "mlqa",
      "--lang",
      "ru",
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/error\[MLQA_UNKNOWN_LANGUAGE\]/);
  }, 60_000);

  it("ifeval --out writes the official files and prints the four metrics", () => {
    const out = join(tmp, "ifeval");
    const r = cftkit([
      "eval",
      "ifeval",
      "--input",
      "data/ifeval/input_data.jsonl",
      "--responses",
      "data/ifeval/input_response_data_gpt4.jsonl",
      "--out",
      out,
      "--json",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const metrics = JSON.parse(r.stdout) as Record<string, number>;
    expect(Object.keys(metrics).sort()).toEqual([
      "inst_level_loose_acc",
      "inst_level_strict_acc",
      "prompt_level_loose_acc",
      "prompt_level_strict_acc",
    ]);
    expect(Math.abs(metrics.prompt_level_strict_acc! - 0.772222)).toBeLessThan(0.005);
    const strict = readFileSync(join(out, "eval_results_strict.jsonl"), "utf8").trim().split("\n");
    expect(strict).toHaveLength(540);
    expect(Object.keys(JSON.parse(strict[0]!))).toEqual([
      "follow_all_instructions",
      "follow_instruction_list",
      "instruction_id_list",
      "prompt",
      "response",
    ]);
    expect(readFileSync(join(out, "eval_results_loose.jsonl"), "utf8").trim().split("\n")).toHaveLength(540);
  }, 60_000);

  it("rouge --json scores paired lines (en with --stem, and the multilingual mode)", () => {
    const pred = join(tmp, "pred.txt");
    const ref = join(tmp, "ref.txt");
    writeFileSync(pred, "testing one\nthe cats are running\n");
    writeFileSync(ref, "testing one two\nthe cat runs\n");
    const r = cftkit(["eval", "rouge", "--predictions", pred, "--references", ref, "--stem", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { rouge1: { recall: number }; count: number; stem: boolean };
    expect(s.count).toBe(2);
    // pair 1: recall 2/3; pair 2 stemmed: the cat run | the cat ar run → recall 3/3.
    expect(s.rouge1.recall).toBeCloseTo((2 / 3 + 1) / 2, 12);
    writeFileSync(pred, "Привет мир\n");
    writeFileSync(ref, "привет\n");
    const m = JSON.parse(
      cftkit(["eval", "rouge", "--predictions", pred, "--references", ref, "--lang", "ru", "--json"]).stdout,
    ) as { rouge1: { precision: number }; mode: string };
    expect(m.mode).toBe("multilingual");
    expect(m.rouge1.precision).toBeCloseTo(0.5, 12);
  }, 60_000);
});
