import {
  axolotlLogFileDocument,
  axolotlLogFileOptionsSchema,
  describeFailureSignals,
  describeMetrics,
  describePlanFileRun,
  describePlanGrid,
  describePlanGridWarnings,
  experimentPlansDocument,
  experimentPlansOptionsSchema,
  runPlanFile,
  trainRunOptionsSchema,
  writeExperimentPlans,
} from "@cftkit/trainer";
import { log, printResult, progress } from "../cli-output.js";
import { cftkitInvocation } from "../cftkit-invocation.js";
import { optionsFrom } from "../schema-options.js";
import { defineCommand, pathParam } from "../define-command.js";

const planCommand = defineCommand({
  path: ["train", "plan"],
  description: "write every training plan of an experiment, its Axolotl YAML and a commands.sh listing",
  examples: ["cftkit train plan examples/paper-mistral-7b.yaml --out plans/mistral"],
  args: { experiment: pathParam("<experiment>", "experiment file (YAML or JSON)", "input") },
  options: optionsFrom(experimentPlansOptionsSchema, { out: "dir" }),
  async run(options) {
    const written = await writeExperimentPlans(options.experiment, options.out, {
      cftkit: cftkitInvocation(),
    });
    printResult(options, experimentPlansDocument(written), () => describePlanGrid(written.grid));
    if (options.json) return;
    for (const line of describePlanGridWarnings(written.grid)) log(options, line);
  },
});

const runCommand = defineCommand({
  path: ["train", "run"],
  description:
    "run one plan with Axolotl (needs a GPU machine with Axolotl installed) or the embedded CPU trainer",
  examples: [
    "cftkit train run plans/setting.FT.phase1.plan.yaml --backend embedded",
    "cftkit train run plans/setting.FT.phase1.plan.yaml --dry-run",
  ],
  args: { plan: pathParam("<plan>", "a plan file written by `cftkit train plan`", "input") },
  options: optionsFrom(trainRunOptionsSchema, { backend: "backend", axolotl: "path" }),
  async run(options) {
    const doc = await runPlanFile(options.plan, { ...options, progress: progress(options) });
    printResult(options, doc, () => describePlanFileRun(doc));
  },
});

const logsCommand = defineCommand({
  path: ["train", "logs"],
  description: "parse a saved Axolotl log (metric dicts, tqdm progress) into metrics",
  examples: ["cftkit train logs train.log --out metrics.jsonl"],
  args: {
    file: pathParam("<file>", "a log saved from `axolotl train … 2>&1 | tee train.log`", "input"),
  },
  options: optionsFrom(axolotlLogFileOptionsSchema, {
    metricsOut: { flag: "out", metavar: "metrics.jsonl" },
  }),
  async run(options) {
    const doc = await axolotlLogFileDocument(options.file, { metricsOut: options.out });
    printResult(options, doc, () => describeMetrics(doc.metrics));
    if (options.json) return;
    for (const line of describeFailureSignals(doc.failure_signals)) log(options, line);
  },
});

/** `cftkit train plan|run|logs`: training plans, the Axolotl and embedded backends, Axolotl log parsing. */
export const trainCommands = [planCommand, runCommand, logsCommand];
