import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentProgress } from "@cftkit/core";
import { describe, expect, it } from "vitest";
import { dryRun, formatDryRun } from "./dry-run.js";
import { readRunExperiment } from "./experiment-schema.js";
import { experimentFileOptionsSchema } from "./experiment-file-options.js";
import type { ExperimentResults } from "./report/experiment-results.js";
import { describeExperimentRun, experimentRunDocument, runExperimentFile } from "./run-experiment-file.js";
import { STEP_NAMES } from "./step-table.js";

const example = fileURLToPath(new URL("../../../examples/cpu-tiny.yaml", import.meta.url));

describe("runExperimentFile (cftkit run)", () => {
  it("a dry run lists the step table and plans of the file, as dryRun does", async () => {
    const run = await runExperimentFile(example, { dryRun: true, progress: silentProgress });
    const expected = await dryRun(await readRunExperiment(example), example);
    expect(experimentRunDocument(run)).toEqual(expected);
    expect(describeExperimentRun(run)).toBe(formatDryRun(expected));
  });

  it("refuses an unknown --only or --from step before any step runs", async () => {
    const steps = `(steps: ${STEP_NAMES.join(", ")})`;
    await expect(
      runExperimentFile(example, { only: ["report", "nope"], progress: silentProgress }),
    ).rejects.toMatchObject({
      code: "CLI_BAD_STEP",
      message: `--only: unknown step "nope" ${steps}`,
    });
    await expect(
      runExperimentFile(example, { from: "later", progress: silentProgress }),
    ).rejects.toMatchObject({
      code: "CLI_BAD_STEP",
      message: `--from: unknown step "later" ${steps}`,
    });
  });

  it("a run's document names the report folder; its words name the page, or what is left to run", () => {
    const outcome = { outDir: "/r/out", reportDir: "/r/out/report" };
    const results = { pairs: [], strategies: [] } as unknown as ExperimentResults;
    const done = { outcome: { ...outcome, results } };
    expect(experimentRunDocument(done)).toEqual({ report: "/r/out/report", results });
    expect(describeExperimentRun(done)).toBe(`report: ${join("/r/out/report", "index.html")}`);
    const partial = { outcome };
    expect(JSON.stringify(experimentRunDocument(partial))).toBe('{"report":"/r/out/report"}');
    expect(describeExperimentRun(partial)).toBe(
      "steps done; no report yet (run the remaining steps): /r/out",
    );
  });

  it("its option schema: step lists need a name, nothing is dry by default", () => {
    expect(experimentFileOptionsSchema.parse({})).toEqual({ dryRun: false });
    expect(experimentFileOptionsSchema.safeParse({ only: [] }).success).toBe(false);
  });
});
