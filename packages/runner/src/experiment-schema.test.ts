import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { readRunExperiment } from "./experiment-schema.js";
import { createRunContext } from "./run-context.js";

const VALID = `name: exp
base_model: { init: tiny }
settings:
  - name: pair
    phase1: { datasets: [{ path: p1.jsonl, type: chat_template }] }
    phase2: { datasets: [{ path: p2.jsonl, type: chat_template }] }
`;

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "cftkit-exp-")), "experiment.yaml");
  writeFileSync(path, text);
  return path;
}

describe("the runner's experiment schema", () => {
  it("accepts a minimal experiment with the runner's defaults", async () => {
    const e = await readRunExperiment(file(VALID));
    expect(e.evaluation.english_languages).toEqual(["en"]);
    expect(e.report).toEqual({ notes: [] });
  });

  it("accepts the report section the quickstart writes (the trainer's strict schema knows it is read here)", async () => {
    const e = await readRunExperiment(file(`${VALID}report: { profile: fast, notes: [a caveat] }\n`));
    expect(e.report).toEqual({ profile: "fast", notes: ["a caveat"] });
  });

  it("accepts a generation section (the trainer's strict schema knows it is read here)", async () => {
    const e = await readRunExperiment(file(`${VALID}generation: { server: "http://127.0.0.1:8000/v1" }\n`));
    expect(e.generation?.server).toBe("http://127.0.0.1:8000/v1");
  });

  it("accepts evaluation.lm_eval and generation.evaluate, with lm-eval's defaults", async () => {
    const e = await readRunExperiment(
      file(
        `${VALID}generation: { launch: [vllm, serve, "{model}"], evaluate: true }\nevaluation: { lm_eval: { tasks: [ifeval, xquad_de] } }\n`,
      ),
    );
    expect(e.generation?.evaluate).toBe(true);
    expect(e.evaluation.lm_eval).toMatchObject({
      tasks: ["ifeval", "xquad_de"],
      backend: "hf",
      num_fewshot: 0,
    });
  });

  it("reads evaluation.xlsum files into the run's evaluation suite and its key", async () => {
    const path = file(`${VALID}evaluation: { xlsum: [{ path: xlsum-de.jsonl, language: de, limit: 1 }] }\n`);
    const rows = [
      { id: "a", text: "Ein Artikel.", summary: "Kurz." },
      { id: "b", text: "Noch einer.", summary: "Auch." },
    ];
    writeFileSync(join(dirname(path), "xlsum-de.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    const experiment = await readRunExperiment(path);
    const ctx = await createRunContext({
      experiment,
      experimentPath: path,
      progress: silentProgress,
      quiet: true,
    });
    expect(ctx.evaluation.xlsum).toEqual([{ language: "de", items: [rows[0]] }]);
    expect(JSON.stringify(ctx.evaluation.key)).toContain('"path":"xlsum-de.jsonl"');
  });

  it.each([
    ["top level", `${VALID}learning_rat: 5\n`, /learning_rat: Unrecognized key: "learning_rat"/],
    [
      "analysis",
      `${VALID}analysis: { drift: { max_prompt: 3 } }\n`,
      /analysis\.drift\.max_prompt: Unrecognized key/,
    ],
    [
      "a setting",
      VALID.replace("  - name: pair\n", "  - name: pair\n    strategy: [LoRA]\n"),
      /settings\.0\.strategy: Unrecognized/,
    ],
    [
      "evaluation",
      `${VALID}evaluation: { heldout: [{ path: h.jsonl, task: h, lang: en }] }\n`,
      /evaluation\.heldout\.0\.lang/,
    ],
    [
      "evaluation.lm_eval",
      `${VALID}evaluation: { lm_eval: { tasks: [mmlu], fewshot: 5 } }\n`,
      /evaluation\.lm_eval\.fewshot: Unrecognized key/,
    ],
  ])("an unknown key (%s) is an error naming the key and the file", async (_where, text, message) => {
    const path = file(text);
    const error = await readRunExperiment(path).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
  });

  it("refuses two settings with one name", async () => {
    const twice = `${VALID}  - name: pair\n    phase1: { model: ./instruct }\n    phase2: { datasets: [{ path: p2.jsonl, type: chat_template }] }\n`;
    await expect(readRunExperiment(file(twice))).rejects.toThrow(/duplicate setting name "pair"/);
  });
});
