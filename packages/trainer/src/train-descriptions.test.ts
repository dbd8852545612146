import { describe, expect, it } from "vitest";
import {
  describeFailureSignals,
  describeMetrics,
  describePlanGrid,
  describePlanGridWarnings,
  describePreparedRun,
} from "./train-descriptions.js";

describe("train descriptions", () => {
  it("a plan grid: each plan's phase and config or pending input, then where the plans are", () => {
    const entry = { strategy: "FT", planPath: "p", dependsOn: [] };
    const grid = {
      outDir: "plans",
      commandsPath: "plans/commands.sh",
      entries: [
        { ...entry, name: "s.FT.phase1", phase: 1 as const, axolotlConfigPath: "plans/s.FT.phase1.yaml" },
        { ...entry, name: "s.FT.phase2", phase: 2 as const, pendingInput: "phase-1 model" },
      ],
    };
    expect(describePlanGrid(grid)).toEqual([
      "plan         phase  axolotl config",
      "-----------  -----  ----------------------",
      "s.FT.phase1  1      plans/s.FT.phase1.yaml",
      "s.FT.phase2  2      pending: phase-1 model",
      "",
      "2 plans written to plans; run them in order: plans/commands.sh",
    ]);
  });

  it("a plan grid's warnings: skipped strategies, inputs not there yet (path escaped), notes", () => {
    const grid = {
      skipped: [{ setting: "s", strategy: "GR_5" as const, reason: "needs generation" }],
      missingInputs: [{ plan: "s.LF.phase2", path: "sel\u0007.txt", role: "unfrozen_parameters" }],
      notes: ["Phase 1 runs once per setting"],
    };
    expect(describePlanGridWarnings(grid)).toEqual([
      "skipped s.GR_5: needs generation",
      "warning: s.LF.phase2 reads sel\\x07.txt (unfrozen_parameters), which does not exist yet",
      "note: Phase 1 runs once per setting",
    ]);
  });

  it("failure signatures: one line naming them, none without", () => {
    expect(describeFailureSignals(["cuda_oom", "nan_loss"])).toEqual([
      "failure signatures seen: cuda_oom, nan_loss",
    ]);
    expect(describeFailureSignals([])).toEqual([]);
  });

  it("metrics: the known columns, train_loss under loss, numbers to 6 significant digits", () => {
    const metrics = [
      { type: "train", step: 10, loss: 1.234567891, learning_rate: 0.0002, epoch: 0.5 },
      { type: "summary", train_loss: 0.9, grad_norm: "nan" },
    ];
    expect(describeMetrics(metrics)).toEqual([
      "type     step  epoch  loss     eval_loss  grad_norm  learning_rate",
      "-------  ----  -----  -------  ---------  ---------  -------------",
      "train    10    0.5    1.23457                        0.0002",
      "summary               0.9                 nan",
    ]);
  });

  it("a prepared Axolotl run: each file under a comment naming it, then the command", () => {
    const prepared = {
      configPath: "out/axolotl.yml",
      yaml: "base_model: m\nlearning_rate: 0.0001\n",
      sideFiles: [{ path: "out/chat.jinja", content: "{{ messages }}" }],
      commandLine: "axolotl train out/axolotl.yml",
    };
    expect(describePreparedRun(prepared)).toEqual([
      "# out/axolotl.yml",
      "base_model: m",
      "learning_rate: 0.0001",
      "# out/chat.jinja",
      "{{ messages }}",
      "# command",
      "axolotl train out/axolotl.yml",
    ]);
  });
});
