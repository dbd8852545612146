import { join } from "node:path";
import { writeFileAtomic } from "@cftkit/core";
import { buildAxolotlCommand, formatCommand, shellQuote } from "./axolotl-command.js";
import { axolotlConfigToYaml, planToAxolotlConfig } from "./axolotl-config.js";
import type { CompiledExperiment } from "./strategy-compiler.js";
import { writeTrainingPlan } from "./training-plan.js";

export interface PlanGridEntry {
  name: string;
  strategy: string;
  setting?: string;
  phase: 1 | 2 | "mixture";
  planPath: string;
  /** Absent for plans still waiting for an input (their config is written when they run). */
  axolotlConfigPath?: string;
  command?: string;
  pendingInput?: string;
  dependsOn: string[];
}

export interface PlanGrid {
  outDir: string;
  entries: PlanGridEntry[];
  commandsPath: string;
  skipped: CompiledExperiment["skipped"];
}

/** File-name stem of a plan: `<setting>.<strategy>` is already unique and safe. */
export function planFileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * Write every plan (`<name>.plan.yaml`), its Axolotl config (`<name>.axolotl.yml`, plus DeepSpeed json when
 * asked) and a `commands.sh` listing the runs in dependency order (Phase 1 before the Phase-2 runs that
 * start from it). Plans whose freeze selection does not exist yet get no config now: `cftkit train run`
 * reads the selection and writes the config when it runs them.
 */
export async function writePlanGrid(
  compiled: CompiledExperiment,
  outDir: string,
  options: { executable?: string; backend?: "axolotl" | "embedded" } = {},
): Promise<PlanGrid> {
  const backend = options.backend ?? "axolotl";
  const entries: PlanGridEntry[] = [];
  const pending = new Map(compiled.pending.map((p) => [p.plan, p.waitingFor]));
  const lines = [
    "#!/usr/bin/env bash",
    `# cftkit training grid for experiment ${compiled.experiment}`,
    backend === "axolotl"
      ? "# A real Axolotl run needs a GPU machine with Axolotl installed. Run the lines in order:"
      : "# The embedded backend trains on the CPU (@cftkit/lm). Run the lines in order:",
    "# each Phase-2 run starts from its Phase-1 output. Either call axolotl directly, or let cftkit",
    "# launch it (progress, metrics.jsonl, failure diagnosis, resume): cftkit train run <plan> --backend axolotl",
    "set -euo pipefail",
    "",
  ];
  const ordered = [...compiled.plans].sort((a, b) => (a.phase === 1 ? 0 : 1) - (b.phase === 1 ? 0 : 1));
  for (const plan of ordered) {
    const stem = planFileStem(plan.name);
    const planPath = join(outDir, `${stem}.plan.yaml`);
    await writeTrainingPlan(planPath, plan);
    const entry: PlanGridEntry = {
      name: plan.name,
      strategy: plan.strategy,
      setting: plan.setting,
      phase: plan.phase,
      planPath,
      dependsOn: plan.depends_on,
    };
    const waiting = pending.get(plan.name);
    lines.push(`# ${plan.name}${plan.depends_on.length ? ` (after ${plan.depends_on.join(", ")})` : ""}`);
    const embeddedOnly = plan.base_model.startsWith("init:");
    if (waiting) {
      entry.pendingInput = waiting;
      lines.push(`# waits for the freeze selection ${waiting}`);
    }
    if (!waiting && !embeddedOnly) {
      const configPath = join(outDir, `${stem}.axolotl.yml`);
      const { config, sideFiles } = planToAxolotlConfig(plan, { configDir: outDir });
      for (const f of sideFiles) await writeFileAtomic(f.path, f.content);
      await writeFileAtomic(
        configPath,
        axolotlConfigToYaml(
          config,
          `cftkit plan ${plan.name} (strategy ${plan.strategy}); plan: ${planPath}`,
        ),
      );
      entry.axolotlConfigPath = configPath;
      entry.command = formatCommand(buildAxolotlCommand(configPath, plan.launcher, options));
    }
    if (backend === "axolotl" && entry.command) {
      lines.push(entry.command);
      // LoRA leaves an adapter; evaluation wants a full model (<output_dir>/merged).
      if (plan.lora && entry.axolotlConfigPath) {
        lines.push(
          `${shellQuote(options.executable ?? "axolotl")} merge-lora ${shellQuote(entry.axolotlConfigPath)}`,
        );
      }
    } else
      lines.push(`cftkit train run ${shellQuote(planPath)} --backend ${embeddedOnly ? "embedded" : backend}`);
    lines.push("");
    entries.push(entry);
  }
  for (const s of compiled.skipped) lines.push(`# skipped ${s.setting}.${s.strategy}: ${s.reason}`);
  const commandsPath = join(outDir, "commands.sh");
  await writeFileAtomic(commandsPath, `${lines.join("\n")}\n`);
  await writeFileAtomic(
    join(outDir, "plans.json"),
    `${JSON.stringify({ experiment: compiled.experiment, entries, skipped: compiled.skipped }, null, 2)}\n`,
  );
  return { outDir, entries, commandsPath, skipped: compiled.skipped };
}
