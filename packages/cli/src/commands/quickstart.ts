import { quickstartSettingsSchema } from "@cftkit/runner/quickstart-settings";
import { printResult, progress } from "../cli-output.js";
import { defineCommand } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

/** `cftkit quickstart`: the README's main command — a real two-phase CFT experiment on CPU, offline. */
const quickstart = defineCommand({
  path: ["quickstart"],
  description:
    "run a small real two-phase CFT experiment offline on the embedded model: XQuAD in 11 languages as Phase 2 after a similar (XQuAD-en) or dissimilar (Alpaca) Phase 1, with baseline, ER_10, GR_5, LF_H2, Spectrum and LoRA; writes report/index.html, report.md, results.json",
  examples: ["cftkit quickstart", "cftkit quickstart --profile fast --out runs/qs-fast"],
  options: optionsFrom(quickstartSettingsSchema, { out: "dir", profile: "name" }),
  async run(options) {
    const { describeQuickstart, runQuickstart } = await import("@cftkit/runner");
    const doc = await runQuickstart({ ...options, progress: progress(options) });
    printResult(options, doc, () => describeQuickstart(doc));
  },
});

export const quickstartCommands = [quickstart];
