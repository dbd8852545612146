import { describe, expect, it } from "vitest";
import { referenceScript } from "./test-helpers.js";
import { exactPattern, matchesUnfrozen, patternsTraining, renderUnfrozenYaml } from "./unfrozen-patterns.js";

describe("Axolotl unfrozen_parameters rule", () => {
  const names = [
    "model.layers.6.mlp.down_proj.weight",
    "model.layers.62.mlp.down_proj.weight",
    "model.layers.6.mlp.down_proj_extra.weight",
    "lm_head.weight",
    "xlm_head.weight",
    "model.layersX6.mlp.down_proj.weight",
  ];
  it("matches at the start only, dots literal — same verdicts as Python re.match", () => {
    const patterns = ["model.layers.6.mlp.down_proj", "^lm_head.weight$"];
    const ours = names.map((n) => matchesUnfrozen(patterns, n));
    const python = JSON.parse(
      referenceScript("unfrozen_parameters.py", [], JSON.stringify({ patterns, names })),
    ) as boolean[];
    expect(ours).toEqual(python);
    expect(ours).toEqual([true, false, true, true, false, false]);
  });

  it("a bare module name that would hit a frozen neighbour becomes exact patterns", () => {
    const groups = patternsTraining(names, new Set(["model.layers.6.mlp.down_proj_extra"]));
    const patterns = groups.flatMap((g) => g.patterns);
    expect(patterns).toContain(exactPattern("model.layers.6.mlp.down_proj.weight"));
    expect(names.filter((n) => matchesUnfrozen(patterns, n))).toEqual(
      names.filter((n) => !n.includes("_extra")),
    );
    expect(renderUnfrozenYaml(groups).split("\n")[0]).toBe("unfrozen_parameters:");
  });
});
