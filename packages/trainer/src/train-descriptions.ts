import { formatTable, printable, shellComment } from "@cftkit/core";
import type { PreparedAxolotlRun } from "./axolotl-launcher.js";
import type { PlanGrid } from "./plan-grid.js";

/** `cftkit train plan|logs` results in words, as printed without --json (plain text lines). */

/** A written plan grid: each plan's phase and Axolotl config (or what it waits for), then where they are. */
export function describePlanGrid(grid: Pick<PlanGrid, "entries" | "outDir" | "commandsPath">): string[] {
  const rows = grid.entries.map((e) => [
    e.name,
    String(e.phase),
    e.axolotlConfigPath ?? `pending: ${e.pendingInput}`,
  ]);
  return [
    ...formatTable(["plan", "phase", "axolotl config"], rows),
    "",
    `${grid.entries.length} plans written to ${grid.outDir}; run them in order: ${grid.commandsPath}`,
  ];
}

/** What a written plan grid left out or waits for: skipped strategies, inputs not there yet, notes (for stderr). */
export function describePlanGridWarnings(
  grid: Pick<PlanGrid, "skipped" | "missingInputs" | "notes">,
): string[] {
  return [
    ...grid.skipped.map((s) => `skipped ${s.setting}.${s.strategy}: ${s.reason}`),
    ...grid.missingInputs.map(
      (m) => `warning: ${m.plan} reads ${printable(m.path)} (${m.role}), which does not exist yet`,
    ),
    ...grid.notes.map((note) => `note: ${note}`),
  ];
}

const METRIC_COLUMNS = ["type", "step", "epoch", "loss", "eval_loss", "grad_norm", "learning_rate"] as const;

/** Metrics (as `axolotlLogDocument` lists them) as a table; a number shows 6 significant digits at most. */
export function describeMetrics(metrics: Record<string, unknown>[]): string[] {
  const show = (v: unknown) =>
    v === undefined ? "" : typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);
  const rows = metrics.map((m) =>
    METRIC_COLUMNS.map((c) => show(c === "loss" ? (m.loss ?? m.train_loss) : m[c])),
  );
  return formatTable([...METRIC_COLUMNS], rows);
}

/** The failure signatures a log shows, as one stderr line (none when it shows none). */
export function describeFailureSignals(signals: readonly string[]): string[] {
  return signals.length ? [`failure signatures seen: ${signals.join(", ")}`] : [];
}

/** A file's text as lines (its final newline makes no extra empty line). */
const textLines = (text: string) => text.replace(/\n$/, "").split("\n");

/**
 * An Axolotl run as it would be launched (`cftkit train run --dry-run`): each file, config first, under a
 * shell comment naming it, then the command.
 */
export function describePreparedRun(
  prepared: Pick<PreparedAxolotlRun, "configPath" | "yaml" | "sideFiles" | "commandLine">,
): string[] {
  const files = [{ path: prepared.configPath, content: prepared.yaml }, ...prepared.sideFiles];
  return [
    ...files.flatMap((f) => [shellComment(f.path), ...textLines(f.content)]),
    "# command",
    prepared.commandLine,
  ];
}
