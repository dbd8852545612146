import { resolve } from "node:path";
import { CftkitError } from "@cftkit/core";
import { printHuman, printJson, progress } from "../cli-output.js";
import { count, defineCommand, param, text } from "../define-command.js";

/** `cftkit quickstart`: the README's main command — a real two-phase CFT experiment on CPU, offline. */
const quickstart = defineCommand({
  path: ["quickstart"],
  description:
    "run a small real two-phase CFT experiment offline on the embedded model: XQuAD in 11 languages as Phase 2 after a similar (XQuAD-en) or dissimilar (Alpaca) Phase 1, with baseline, ER_10, GR_5, LF_H2, Spectrum and LoRA; writes report/index.html, report.md, results.json",
  examples: ["cftkit quickstart", "cftkit quickstart --profile fast --out runs/qs-fast"],
  options: {
    out: param("--out <dir>", "where everything goes", text().default("runs/quickstart")),
    // Checked in run (not an enum) so the runner's profiles stay the one list.
    profile: param(
      "--profile <name>",
      "fast (tests, ~1-2 min) | default (< 15 min on 2 cores) | full (small model, more steps)",
      text().default("default"),
    ),
    seed: param("--seed <n>", "seed of data sampling, model init and training", count().default(0)),
  },
  async run(options) {
    if (!["fast", "default", "full"].includes(options.profile)) {
      throw new CftkitError(
        "CLI_BAD_PROFILE",
        `--profile must be fast, default or full, got "${options.profile}"`,
      );
    }
    const { fmt, fmtDelta, quickstart } = await import("@cftkit/runner");
    const outcome = await quickstart({
      out: options.out,
      profile: options.profile as "fast" | "default" | "full",
      seed: options.seed,
      json: options.json,
      quiet: options.quiet,
      progress: progress(options),
    });
    if (options.json) {
      printJson({
        report: resolve(outcome.reportDir, "index.html"),
        experiment: outcome.experimentPath,
        results: outcome.results,
      });
      return;
    }
    const results = outcome.results!;
    const lines = [""];
    for (const pair of results.pairs) {
      lines.push(
        `${pair.name}: ${pair.phase1_data} → ${pair.phase2_data}  (DES ${fmt(pair.des)}; English loss after Phase 1 ${fmt(pair.phase1.english_loss)})`,
      );
      for (const s of results.strategies.filter((x) => x.pair === pair.name)) {
        lines.push(
          `  ${s.strategy.padEnd(9)} English loss ${fmt(s.phase2.english_loss)} (${fmtDelta(s.delta.english_loss)})  multilingual loss ${fmt(s.phase2.multilingual_loss)} (${fmtDelta(s.delta.multilingual_loss)})  EA ${fmt(s.phase2.ea)} MA ${fmt(s.phase2.ma)} Overall ${fmt(s.phase2.overall)}`,
        );
      }
    }
    lines.push(
      "",
      `report: ${resolve(outcome.reportDir, "index.html")}`,
      `        ${resolve(outcome.reportDir, "report.md")}`,
      `        ${resolve(outcome.reportDir, "results.json")}`,
    );
    printHuman(options, lines.join("\n"));
  },
});

export const quickstartCommands = [quickstart];
