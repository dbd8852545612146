import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { axolotlConfigToYaml, planToAxolotlConfig } from "./axolotl-config.js";
import { pythonYamlNumber, stringifyForPython } from "./python-yaml.js";
import { repoPath } from "./testing/repo-paths.js";
import { parseTrainingPlan } from "./training-plan.js";

const tmp = mkdtempSync(join(tmpdir(), "cftkit-pyyaml-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** PyYAML's own reading of each file: key → [Python type, str(value)]. */
function readWithPyYaml(paths: string[]): Record<string, Record<string, [string, string]>> {
  const r = spawnSync("/usr/bin/python3", [repoPath("tools/reference/pyyaml_types.py")], {
    input: JSON.stringify(paths),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`pyyaml_types.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("YAML for Axolotl (PyYAML, YAML 1.1)", () => {
  it("writes every number so that PyYAML reads a number with the same value, and strings stay strings", () => {
    const values: Record<string, unknown> = {
      tiny_lr: 1e-7,
      paper_lr: 1e-6,
      big: 1e21,
      huge_int: Number("99999999999999999999999"),
      negative_exp: -2.5e-12,
      half: 0.5,
      count: 16,
      word_yes: "yes",
      word_on: "on",
      clock: "1:30",
      underscored: "1_000",
      exp_text: "1e5",
      newline_path: "/tmp/exp\ntouch PWNED; $(touch X) `t` 'q\"/data.jsonl",
      carriage: "a\rb\u2028c",
    };
    const path = join(tmp, "numbers.yml");
    writeFileSync(path, stringifyForPython(values));
    const read = readWithPyYaml([path])[path]!;
    for (const [key, value] of Object.entries(values)) {
      if (typeof value === "number") {
        expect(read[key]![0], `${key} → ${pythonYamlNumber(value)}`).toMatch(/^(float|int)$/);
        expect(Number(read[key]![1]), key).toBe(value);
      } else {
        expect(read[key], key).toEqual(["str", value]);
      }
    }
  });

  it("an Axolotl config with a 1e-7 learning rate keeps it a float for PyYAML", () => {
    const plan = parseTrainingPlan({
      name: "s.baseline",
      strategy: "baseline",
      phase: 2,
      base_model: "org/model",
      datasets: [{ path: "/data/p2.jsonl", type: "chat_template" }],
      output_dir: "/runs/s/baseline",
      hyperparameters: { learning_rate: 1e-7, weight_decay: 1e-8 },
    });
    const path = join(tmp, "axolotl.yml");
    writeFileSync(path, axolotlConfigToYaml(planToAxolotlConfig(plan).config, "header\rkey: injected"));
    const read = readWithPyYaml([path])[path]!;
    expect(read.learning_rate).toEqual(["float", "1e-07"]);
    expect(read.weight_decay).toEqual(["float", "1e-08"]);
    expect(read.key).toBeUndefined(); // a \r in the header comment does not start a YAML key
  });
});
