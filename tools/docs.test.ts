import { readFileSync } from "node:fs";
import { GenerationSchema, LmEvalSchema, STEP_TABLE } from "@cftkit/runner";
import { STRATEGY_CATALOGUE } from "@cftkit/trainer";
import { describe, expect, it } from "vitest";

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");

describe("docs/ follow the code", () => {
  it("strategies.md lists every catalogue entry in its table", () => {
    const rows = doc("strategies.md")
      .split("\n")
      .map((l) => /^\| `([^`]+)` \|/.exec(l)?.[1])
      .filter(Boolean);
    expect(rows).toEqual(STRATEGY_CATALOGUE.map((s) => s.name));
  });

  it("architecture.md lists the step table in order", () => {
    const rows = doc("architecture.md")
      .split("\n")
      .map((l) => /^\| \d+ \| `([^`]+)` \|/.exec(l)?.[1])
      .filter(Boolean);
    expect(rows).toEqual(STEP_TABLE.map((s) => s.name));
  });

  it("gpu-runs.md names every key of generation: and evaluation.lm_eval", () => {
    const text = doc("gpu-runs.md");
    const keys = [...Object.keys(GenerationSchema.shape), ...Object.keys(LmEvalSchema.shape)];
    for (const key of keys) expect(text, key).toMatch(new RegExp(`\\b${key}:`));
  });
});
