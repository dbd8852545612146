import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkInstruction } from "./checkers.js";
import { evaluateIfeval } from "./evaluate.js";
import { readIfevalInputs, readIfevalResponses, writeIfevalOutputs } from "./files.js";
import "./punkt-files.js";
import "./tinyld-node.js";

const data = fileURLToPath(new URL("../../../../data/ifeval/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cftkit-ifeval-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Official {
  follow_all_instructions: boolean;
  follow_instruction_list: boolean[];
  instruction_id_list: string[];
  prompt: string;
  response: string;
}
const readOfficial = (mode: string): string[] =>
  readFileSync(join(data, `eval_results_${mode}.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean);

describe("IFEval checkers", () => {
  it("follow the official rules on small cases", () => {
    expect(checkInstruction("punctuation:no_comma", "a b", {})).toBe(true);
    expect(
      checkInstruction("detectable_format:number_bullet_lists", "* a\n* b\n- c\n**bold**", {
        num_bullets: 3,
      }),
    ).toBe(true);
    // "*a*" and "**b**" count; "**", "* *" are empty highlights.
    expect(
      checkInstruction("detectable_format:number_highlighted_sections", "*a* **b** * *", {
        num_highlights: 2,
      }),
    ).toBe(true);
    expect(
      checkInstruction("detectable_format:number_highlighted_sections", "*a* **b** * *", {
        num_highlights: 3,
      }),
    ).toBe(false);
    expect(checkInstruction("keywords:forbidden_words", "the cat's café", { forbidden_words: ["caf"] })).toBe(
      true,
    );
    expect(checkInstruction("keywords:forbidden_words", "the CAT sat", { forbidden_words: ["cat"] })).toBe(
      false,
    );
    expect(
      checkInstruction("keywords:letter_frequency", "a#b#c#d#", {
        letter: "#",
        let_frequency: 4,
        let_relation: "at least",
      }),
    ).toBe(true);
    expect(
      checkInstruction("length_constraints:number_words", "naïve café, 3 words", {
        num_words: 4,
        relation: "at least",
      }),
    ).toBe(true);
    expect(checkInstruction("detectable_format:json_format", '```json\n{"a": NaN}\n```', {})).toBe(true);
    expect(checkInstruction("detectable_format:title", "<<  >> <<Joy>>", {})).toBe(true);
    expect(
      checkInstruction("length_constraints:number_sentences", "One. Two. Three.", {
        num_sentences: 3,
        relation: "less than",
      }),
    ).toBe(false);
    expect(
      checkInstruction("change_case:capital_word_frequency", "THE BIG dog RAN", {
        capital_frequency: 3,
        capital_relation: "at least",
      }),
    ).toBe(true);
    expect(() => checkInstruction("nope:x", "", {})).toThrow(/unknown IFEval/);
  });

  it("agree with the official verdicts on GPT-4's responses (≥ 99.5% strict and loose, metrics within 0.005)", async () => {
    const inputs = await readIfevalInputs(join(data, "input_data.jsonl"));
    const responses = await readIfevalResponses(join(data, "input_response_data_gpt4.jsonl"));
    const result = evaluateIfeval(inputs, responses);
    const { strict, loose } = await writeIfevalOutputs(tmp, result);
    const official = { strict: readOfficial("strict"), loose: readOfficial("loose") };
    const ours = {
      strict: readFileSync(strict, "utf8").split("\n").filter(Boolean),
      loose: readFileSync(loose, "utf8").split("\n").filter(Boolean),
    };
    const expected = {
      prompt_level_strict_acc: 0.772222,
      inst_level_strict_acc: 0.83774,
      prompt_level_loose_acc: 0.796296,
      inst_level_loose_acc: 0.855769,
    };
    for (const mode of ["strict", "loose"] as const) {
      expect(ours[mode].length).toBe(official[mode].length);
      let agree = 0;
      let total = 0;
      for (const [i, line] of official[mode].entries()) {
        const o = JSON.parse(line) as Official;
        const m = result[mode][i]!;
        expect(m.prompt).toBe(o.prompt);
        let rowAgrees = true;
        for (const [k, f] of o.follow_instruction_list.entries()) {
          total++;
          if (m.follow_instruction_list[k] === f) agree++;
          else {
            rowAgrees = false;
            console.log(
              `IFEval ${mode} disagreement: key ${inputs[i]!.key} ${o.instruction_id_list[k]} kwargs=${JSON.stringify(inputs[i]!.kwargs[k])} official=${f} ours=${m.follow_instruction_list[k]} response=${JSON.stringify(o.response.slice(0, 80))}`,
            );
          }
        }
        // Rows we agree on are byte-identical to the official file (Python json.dumps layout).
        if (rowAgrees) expect(ours[mode][i]).toBe(line);
      }
      console.log(
        `IFEval ${mode}: ${agree}/${total} instructions agree (${((100 * agree) / total).toFixed(2)}%)`,
      );
      expect(total).toBe(832);
      expect(agree / total).toBeGreaterThanOrEqual(0.995);
    }
    console.log("IFEval metrics", result.metrics);
    for (const [k, v] of Object.entries(expected)) {
      expect(Math.abs(result.metrics[k as keyof typeof expected] - v), k).toBeLessThanOrEqual(0.005);
    }
  }, 60_000);
});
