import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CausalLM } from "@cftkit/lm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDesOfFiles, desOfFiles } from "./des-files.js";

describe("desOfFiles: DES of data files (paper Definition 1)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cftkit-des-files-"));
  const model = join(dir, "tiny");
  const file = (name: string, instructions: string[]) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      JSON.stringify(instructions.map((instruction) => ({ instruction, input: "", output: "ok" }))),
    );
    return path;
  };
  let a: string;
  let b: string;
  let c: string;
  beforeAll(async () => {
    const lm = await CausalLM.init({ preset: "tiny", seed: 3 });
    await lm.save(model);
    lm.dispose();
    a = file("a.json", ["Name three rivers.", "What is two plus two?", "Write a haiku about snow."]);
    b = file("b.json", ["Translate 'cat' into French.", "Summarise the plot of Hamlet."]);
    c = file("c.json", ["List the planets.", "Explain photosynthesis briefly."]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("two files give one DES; a set against itself (all records sampled) is 1; the cache is written", async () => {
    const cache = join(dir, "cache.jsonl");
    const self = await desOfFiles([a, a], { encoder: "lm", model, cache });
    expect("pair" in self && self.pair.des).toBeCloseTo(1, 6);
    expect(existsSync(cache)).toBe(true);
    const other = await desOfFiles([a, b], { encoder: "lm", model, samples: 10, seed: 1 });
    if (!("pair" in other)) throw new Error("expected a pair");
    expect(other.pair).toMatchObject({ samples_a: 3, samples_b: 2, seed: 1 });
    expect(Math.abs(other.pair.des)).toBeLessThanOrEqual(1);
  });

  it("three files give a symmetric matrix with 1 on the diagonal", async () => {
    const result = await desOfFiles([a, b, c], { encoder: "lm", model });
    if (!("matrix" in result)) throw new Error("expected a matrix");
    const { names, matrix } = result.matrix;
    expect(names).toEqual([a, b, c]);
    for (let i = 0; i < 3; i++) {
      expect(matrix[i]![i]).toBeCloseTo(1, 6);
      for (let j = 0; j < 3; j++) expect(matrix[i]![j]).toBeCloseTo(matrix[j]![i]!, 9);
    }
  });

  it("refuses options outside the schema before loading anything", async () => {
    await expect(desOfFiles([a, b], { samples: 0 })).rejects.toMatchObject({ code: "RUN_BAD_OPTION" });
  });
});

describe("describeDesOfFiles", () => {
  it("a pair: DES with its samples, encoder and seed, then DES per language", () => {
    const pair = {
      des: 0.81234,
      samples_a: 8,
      samples_b: 6,
      model: "tiny",
      seed: 3,
      text: "instruction" as const,
      by_language: { de: 0.5, en: 0.91 },
    };
    expect(describeDesOfFiles({ pair })).toEqual([
      "DES = 0.8123 (8 vs 6 samples, tiny, seed 3)",
      "language  DES",
      "--------  ------",
      "de        0.5000",
      "en        0.9100",
    ]);
    expect(describeDesOfFiles({ pair: { ...pair, by_language: {} } })).toHaveLength(1);
  });

  it("more sets: the matrix of every pair as a table named by the sets", () => {
    const matrix = {
      names: ["a", "bb"],
      matrix: [
        [1, 0.25],
        [0.25, 1],
      ],
      model: "tiny",
      seed: 0,
    };
    expect(describeDesOfFiles({ matrix })).toEqual([
      "    a       bb",
      "--  ------  ------",
      "a   1.0000  0.2500",
      "bb  0.2500  1.0000",
    ]);
  });
});
