import { dirname, resolve } from "node:path";
import { checkOptions, type ProgressReporter } from "@cftkit/core";
import type { z } from "zod";
import { quickstart } from "./quickstart.js";
import { quickstartSettingsSchema } from "./quickstart-settings.js";
import type { ExperimentResults } from "./report/experiment-results.js";
import { fmt, fmtDelta } from "./report/format-number.js";

/** The `cftkit quickstart --json` document: the report's page, the experiment file it ran, the results. */
export interface QuickstartDocument {
  report: string;
  experiment: string;
  results?: ExperimentResults;
}

/** `quickstart` with its settings checked (quickstartSettingsSchema), summed up as its document. */
export async function runQuickstart(
  settings: z.input<typeof quickstartSettingsSchema> & {
    json?: boolean;
    quiet?: boolean;
    progress: ProgressReporter;
  },
): Promise<QuickstartDocument> {
  const { out, profile, seed } = checkOptions(quickstartSettingsSchema, settings, "RUN_BAD_OPTION");
  const { json, quiet, progress } = settings;
  const outcome = await quickstart({ out, profile, seed, json, quiet, progress });
  return {
    report: resolve(outcome.reportDir, "index.html"),
    experiment: outcome.experimentPath,
    results: outcome.results,
  };
}

/** The quickstart in words: per pair its DES and each strategy's losses, deltas and abilities; then the report files. */
export function describeQuickstart(doc: QuickstartDocument): string {
  const results = doc.results!;
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
  const reportDir = dirname(doc.report);
  lines.push(
    "",
    `report: ${doc.report}`,
    `        ${resolve(reportDir, "report.md")}`,
    `        ${resolve(reportDir, "results.json")}`,
  );
  return lines.join("\n");
}
