import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ExperimentSchema, experimentShape, parseExperiment } from "./experiment-schema.js";

const minimal = {
  name: "exp",
  base_model: { init: "tiny" },
  settings: [
    {
      name: "similar",
      phase1: { datasets: [{ path: "p1.jsonl", type: "chat_template" }] },
      phase2: { datasets: [{ path: "p2.jsonl", type: "chat_template" }] },
      replay: { ER_10: "er.jsonl" },
    },
  ],
  evaluation: { ea: ["ifeval"] },
};

describe("the experiment schema", () => {
  it("fills defaults, normalises { init } base models and replay shorthands, keeps sections the runner owns", () => {
    const e = parseExperiment(minimal);
    expect(e.base_model).toBe("init:tiny");
    expect(e.backend).toBe("embedded");
    expect(e.strategies).toHaveLength(9);
    expect(e.lora).toEqual({ r: 64, alpha: 128, dropout: 0.05 });
    expect(e.settings[0]!.replay.ER_10).toEqual({ path: "er.jsonl", type: "chat_template" });
    expect((e as Record<string, unknown>).evaluation).toEqual({ ea: ["ifeval"] });
  });

  it("can be extended by the runner", () => {
    const Runner = ExperimentSchema.extend({ evaluation: z.object({ ea: z.array(z.string()) }) });
    expect(Runner.parse(minimal).evaluation.ea).toEqual(["ifeval"]);
    const Own = z.object({ ...experimentShape, report: z.string().default("report") });
    expect(Own.parse(minimal).report).toBe("report");
  });

  it("names the offending key", () => {
    const setting = minimal.settings[0]!;
    expect(() =>
      parseExperiment({ ...minimal, settings: [{ ...setting, phase2: { ...setting.phase2, extra: 1 } }] }),
    ).toThrow(/settings\.0\.phase2: Unrecognized key: "extra"/);
    expect(() =>
      parseExperiment({ ...minimal, settings: [{ ...setting, selections: { LoRA: "x" } }] }),
    ).toThrow(/selections: Unrecognized key: "LoRA"/);
    expect(() => parseExperiment({ ...minimal, training: { learning_rate: -1 } })).toThrow(
      /training\.learning_rate/,
    );
    expect(() => parseExperiment({ ...minimal, strategies: ["baseline", "GR_50"] })).toThrow(/strategies\.1/);
    expect(() =>
      parseExperiment({
        ...minimal,
        settings: [{ ...minimal.settings[0], phase1: { model: "x", datasets: [] } }],
      }),
    ).toThrow(/settings\.0\.phase1/);
    expect(() =>
      parseExperiment({ ...minimal, settings: [minimal.settings[0], minimal.settings[0]] }),
    ).toThrow(/duplicate/);
    expect(() => parseExperiment({ ...minimal, training: { learning_rte: 1 } })).toThrow(/learning_rte/);
  });

  it("refuses unknown keys at the top level and inside settings, naming the key and the file", () => {
    expect(() => parseExperiment({ ...minimal, learning_rat: 5 }, "exp.yaml")).toThrow(
      /^exp\.yaml: .*learning_rat/,
    );
    expect(() =>
      parseExperiment({ ...minimal, settings: [{ ...minimal.settings[0], selection: {} }] }, "exp.yaml"),
    ).toThrow(/settings\.0.*selection/);
    expect(() =>
      parseExperiment({
        ...minimal,
        settings: [{ ...minimal.settings[0], phase2: { datasets: [], english_counterpart: "x" } }],
      }),
    ).toThrow(/english_counterpart/);
    // The runner's extension is just as strict.
    const Runner = ExperimentSchema.extend({ evaluation: z.object({ ea: z.array(z.string()) }) });
    expect(Runner.safeParse({ ...minimal, evalution: {} }).success).toBe(false);
  });

  it("refuses duplicate setting names, also in the runner's extension", () => {
    const twice = { ...minimal, settings: [minimal.settings[0], minimal.settings[0]] };
    expect(() => parseExperiment(twice)).toThrow(/settings\.1\.name: duplicate setting name "similar"/);
    const Runner = ExperimentSchema.extend({ evaluation: z.object({ ea: z.array(z.string()) }) });
    expect(Runner.safeParse(twice).success).toBe(false);
  });

  it("bounds numbers: 99999999999999999999999 epochs is refused, not written as 1e+23", () => {
    expect(() =>
      parseExperiment({ ...minimal, training: parseYaml("num_epochs: 99999999999999999999999") }),
    ).toThrow(/training\.num_epochs: .*10000/);
    expect(() => parseExperiment({ ...minimal, seed: 2 ** 53 })).toThrow(/seed/);
    expect(() => parseExperiment({ ...minimal, launcher: { main_process_port: 70000 } })).toThrow(
      /launcher\.main_process_port/,
    );
  });
});
