import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ProgressReporter } from "@cftkit/core";

/**
 * The run's own voice: one line per pipeline event to stderr (human text, or JSON with --json) and the
 * same events appended to `run.log` in the run folder, so an interrupted run leaves a record.
 */
export class PipelineLog {
  private readonly started = Date.now();

  constructor(
    private readonly logPath: string,
    private readonly json: boolean,
    private readonly quiet: boolean,
    readonly progress: ProgressReporter,
  ) {
    mkdirSync(dirname(logPath), { recursive: true });
  }

  event(
    step: string,
    status: "step" | "start" | "done" | "reused" | "skipped" | "failed",
    detail: Record<string, unknown> = {},
  ): void {
    const record = {
      t: new Date().toISOString(),
      elapsed_s: Math.round((Date.now() - this.started) / 100) / 10,
      step,
      status,
      ...detail,
    };
    appendFileSync(this.logPath, `${JSON.stringify(record)}\n`);
    if (this.quiet) return;
    if (this.json) process.stderr.write(`${JSON.stringify({ event: "step", ...record })}\n`);
    else {
      const extra = Object.entries(detail)
        .map(
          ([k, v]) =>
            `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : typeof v === "string" ? v : JSON.stringify(v)}`,
        )
        .join(" ");
      process.stderr.write(
        `[${record.elapsed_s.toFixed(1).padStart(6)}s] ${status.padEnd(7)} ${step}${extra ? `  ${extra}` : ""}\n`,
      );
    }
  }
}
