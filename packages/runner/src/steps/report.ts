import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "@cftkit/core";
import { buildResults } from "../report/build-results.js";
import { renderCharts } from "../report/charts.js";
import type { RunContext } from "../run-context.js";
import type { RunState } from "../run-state.js";
import { type PipelineStep, unit } from "../step.js";

/** Write results.json, report.md and the self-contained index.html into `<output_dir>/report/`. */
async function writeReport(ctx: RunContext, state: RunState) {
  const { renderHtml } = await import("../report/render-html.js");
  const { renderMarkdown } = await import("../report/render-markdown.js");
  const results = buildResults(ctx, state);
  await mkdir(ctx.reportDir, { recursive: true });
  await writeJsonAtomic(join(ctx.reportDir, "results.json"), results);
  await writeFileAtomic(join(ctx.reportDir, "report.md"), renderMarkdown(results));
  await writeFileAtomic(join(ctx.reportDir, "index.html"), renderHtml(results, await renderCharts(results)));
  state.results = results;
  return { html: join(ctx.reportDir, "index.html") };
}

/** The report: always rewritten (never cached), so it describes the run that just ended. */
export const reportStep: PipelineStep = {
  name: "report",
  summary: "results.json, report.md and index.html in <output_dir>/report/",
  async units(ctx, state) {
    return [
      unit({
        label: "report",
        inputs: null,
        cache: false,
        run: () => writeReport(ctx, state),
        keep: () => {},
      }),
    ];
  },
};
