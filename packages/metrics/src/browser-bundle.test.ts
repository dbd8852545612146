// The portable entry bundles for the browser with esbuild (any Node built-in would fail the build) and runs in a
// bare V8 context with no `require` or `process`; IFEval works there once the Punkt tables are passed in.
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { evaluateStrict, rougeScore, scoreMultipleChoice, squadF1 } from "./index.js";

const srcDir = fileURLToPath(new URL(".", import.meta.url));

function bundle(entry: string): string {
  const out = buildSync({
    stdin: { contents: entry, resolveDir: srcDir, loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "iife",
    conditions: ["source"],
    loader: { ".txt": "text", ".tab": "text" },
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

const input = {
  prompt: "p",
  instruction_id_list: ["length_constraints:number_sentences"],
  kwargs: [{ relation: "less than", num_sentences: 3 }],
};
const responses = ["Mr. Smith came. He left.", "One. Two. Three."];

describe("@cftkit/metrics in a browser bundle", () => {
  it("scores with no Node built-ins, IFEval included when the tables are bundled", () => {
    const code = bundle(`
      import * as m from "./portable.js";
      import abbrevTypes from "../data/punkt_tab/english/abbrev_types.txt";
      import collocations from "../data/punkt_tab/english/collocations.tab";
      import orthoContext from "../data/punkt_tab/english/ortho_context.tab";
      import sentStarters from "../data/punkt_tab/english/sent_starters.txt";
      const input = ${JSON.stringify(input)};
      let before = "";
      try { m.sentTokenize("A. B."); } catch (e) { before = e.code; }
      m.setEnglishPunktParameters(m.parsePunktTables({ abbrevTypes, collocations, orthoContext, sentStarters }));
      globalThis.result = {
        before,
        f1: m.squadF1("a cat sat down", "the cat sat"),
        rouge: m.rougeScore("the cat sat on the mat", "the cat lay on the mat", { stem: true }).rougeL.fmeasure,
        mc: m.scoreMultipleChoice([{ logLikelihoods: [-3, -1, -2], choices: [" no", " yes, surely", " ok"], gold: 1 }]),
        ifeval: ${JSON.stringify(responses)}.map((r) => m.evaluateStrict(input, r).follow_all_instructions),
      };
    `);
    const context: { result?: Record<string, unknown> } = {};
    runInNewContext(code, context);
    // The same calls through the Node entry (which reads the tables from disk) give the same numbers.
    expect(context.result).toEqual({
      before: "PUNKT_TABLES_NOT_SET",
      f1: squadF1("a cat sat down", "the cat sat"),
      rouge: rougeScore("the cat sat on the mat", "the cat lay on the mat", { stem: true }).rougeL.fmeasure,
      mc: scoreMultipleChoice([
        { logLikelihoods: [-3, -1, -2], choices: [" no", " yes, surely", " ok"], gold: 1 },
      ]),
      ifeval: responses.map((r) => evaluateStrict(input, r).follow_all_instructions),
    });
    expect(context.result?.f1).toBeCloseTo(0.8, 12);
    expect(context.result?.ifeval).toEqual([true, false]);
  });

  it("the Node entry cannot be bundled for the browser (it reads files), so the browser condition picks portable", () => {
    expect(() => bundle(`import "./index.js";`)).toThrow(/node:fs|node:path|node:url/);
  });
});
