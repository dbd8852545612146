import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readUnfrozenParameters, unfrozenMatcher } from "./freeze-selection.js";
import { repoPath } from "./testing/repo-paths.js";
import { readTrainingExamples, splitValidation } from "./training-data.js";
import { PlanDatasetSchema } from "./training-plan.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-data-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const ds = (path: string, type: "alpaca" | "chat_template") => PlanDatasetSchema.parse({ path, type });

describe("readTrainingExamples", () => {
  it("reads the bundled Alpaca JSON array as user/assistant messages (input appended after a blank line)", async () => {
    const rows = await readTrainingExamples(ds(repoPath("data/alpaca/alpaca_5000.json"), "alpaca"));
    expect(rows).toHaveLength(5000);
    const withInput = rows.find((r) => r.messages[0]!.content.includes("\n\n"))!;
    expect(withInput.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("reads chat_template JSONL (role/content and from/value) and names the line of a bad row", async () => {
    const good = join(tmp, "chat.jsonl");
    await writeFile(
      good,
      [
        JSON.stringify({
          id: "a",
          messages: [
            { role: "user", content: "Q" },
            { role: "assistant", content: "A" },
          ],
        }),
        "",
        JSON.stringify({
          messages: [
            { from: "human", value: "Q2" },
            { from: "gpt", value: "A2" },
          ],
        }),
      ].join("\n"),
    );
    expect(await readTrainingExamples(ds(good, "chat_template"))).toEqual([
      {
        id: "a",
        messages: [
          { role: "user", content: "Q" },
          { role: "assistant", content: "A" },
        ],
      },
      {
        messages: [
          { role: "user", content: "Q2" },
          { role: "assistant", content: "A2" },
        ],
      },
    ]);
    const bad = join(tmp, "bad.jsonl");
    await writeFile(bad, `${JSON.stringify({ messages: [{ role: "user", content: "Q" }] })}\n{oops\n`);
    await expect(readTrainingExamples(ds(bad, "chat_template"))).rejects.toThrow(
      /bad\.jsonl:1: no assistant message/,
    );
    const alpacaBad = join(tmp, "bad-alpaca.jsonl");
    await writeFile(alpacaBad, `${JSON.stringify({ instruction: "x", output: "y" })}\n{oops\n`);
    await expect(readTrainingExamples(ds(alpacaBad, "alpaca"))).rejects.toThrow(
      /bad-alpaca\.jsonl:2: not valid JSON/,
    );
  });

  it("reads through @cftkit/datasets' readers: a JSON array's element number, an empty or missing file", async () => {
    const array = join(tmp, "rows.json");
    await writeFile(array, `[${JSON.stringify({ instruction: "x", output: "y" })}, {"instruction": 1}]`);
    await expect(readTrainingExamples(ds(array, "alpaca"))).rejects.toThrow(
      /rows\.json:2: an alpaca row needs/,
    );
    const empty = join(tmp, "empty.jsonl");
    await writeFile(empty, "\n\n");
    await expect(readTrainingExamples(ds(empty, "alpaca"))).rejects.toThrow(
      /empty\.jsonl: file holds no rows/,
    );
    await expect(readTrainingExamples(ds(join(tmp, "missing.jsonl"), "alpaca"))).rejects.toThrow(
      /cannot read dataset .*missing\.jsonl/,
    );
  });

  it("splits a seeded validation set by fraction or count", () => {
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const a = splitValidation(rows, 0.1, 1);
    expect(a.validation).toHaveLength(10);
    expect(a.train).toHaveLength(90);
    expect(splitValidation(rows, 0.1, 1)).toEqual(a);
    expect(splitValidation(rows, 0.1, 2).validation).not.toEqual(a.validation);
    expect(splitValidation(rows, 7, 1).validation).toHaveLength(7);
    expect(() => splitValidation(rows, 100, 1)).toThrow(/leaves no training rows/);
  });
});

describe("freeze selections", () => {
  it("read Spectrum YAML, --json output, plain lists and text; empty lists are refused", async () => {
    const files: [string, string][] = [
      [
        "s.yaml",
        "unfrozen_parameters:\n- ^lm_head.weight$\n# mlp.down_proj layers\n- model.layers.6.mlp.down_proj\n",
      ],
      [
        "d.json",
        JSON.stringify({
          scores: {},
          frozen: ["x"],
          unfrozen_parameters: ["^lm_head.weight$", "model.layers.6.mlp.down_proj"],
        }),
      ],
      ["l.yaml", "- ^lm_head.weight$\n- model.layers.6.mlp.down_proj\n"],
      ["t.txt", "# comment\n^lm_head.weight$\nmodel.layers.6.mlp.down_proj\n"],
    ];
    for (const [name, text] of files) {
      await writeFile(join(tmp, name), text);
      expect(await readUnfrozenParameters(join(tmp, name))).toEqual([
        "^lm_head.weight$",
        "model.layers.6.mlp.down_proj",
      ]);
    }
    await writeFile(join(tmp, "e.yaml"), "unfrozen_parameters: []\n");
    await expect(readUnfrozenParameters(join(tmp, "e.yaml"))).rejects.toThrow(/empty/);
    await expect(readUnfrozenParameters(join(tmp, "missing.yaml"))).rejects.toThrow(/cftkit freeze/);
  });

  it("match parameter names as Axolotl does (re.match from the start, '.' literal)", () => {
    const m = unfrozenMatcher(["model.layers.6.mlp.down_proj", "^lm_head.weight$"]);
    expect(m("model.layers.6.mlp.down_proj.weight")).toBe(true);
    expect(m("model.layers.62.mlp.down_proj.weight")).toBe(false);
    expect(m("model.layers.6Xmlp.down_proj.weight")).toBe(false);
    expect(m("lm_head.weight")).toBe(true);
    expect(m("base_model.model.model.layers.6.mlp.down_proj.weight")).toBe(false);
  });
});
