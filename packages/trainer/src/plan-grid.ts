import { dirname, join, relative, resolve } from "node:path";
import { ShellScript, writeFileAtomic } from "@cftkit/core";
import { buildAxolotlCommand, formatCommand } from "./axolotl-command.js";
import { axolotlConfigToYaml, planToAxolotlConfig } from "./axolotl-config.js";
import { planRelativeTo } from "./plan-paths.js";
import { readExperiment } from "./experiment-schema.js";
import { type CompiledExperiment, compileExperiment } from "./strategy-compiler.js";
import { writeTrainingPlan } from "./training-plan.js";
import { z } from "zod";

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
  missingInputs: CompiledExperiment["missingInputs"];
  notes: string[];
}

export interface PlanGridOptions {
  /** The Axolotl executable named in commands.sh (default `axolotl`). */
  executable?: string;
  backend?: "axolotl" | "embedded";
  /** How commands.sh calls cftkit (default `["cftkit"]`); the CLI passes how it was itself launched. */
  cftkit?: readonly string[];
}

/** File-name stem of a plan: `<setting>.<strategy>` is already unique and safe. */
export function planFileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

function scriptHeader(compiled: CompiledExperiment, backend: string, cftkit: readonly string[]): ShellScript {
  const script = new ShellScript()
    .comment(`cftkit training grid for experiment ${compiled.experiment}`)
    .comment(
      backend === "axolotl"
        ? "A real Axolotl run needs a GPU machine with Axolotl installed. Run the lines in order:"
        : "The embedded backend trains on the CPU (@cftkit/lm). Run the lines in order:",
    )
    .comment("each Phase-2 run starts from its Phase-1 output. Either call axolotl directly, or let cftkit")
    .comment(
      "launch it (progress, metrics.jsonl, failure diagnosis, resume): cftkit train run <plan> --backend axolotl",
    )
    .fixed("set -euo pipefail")
    .comment("Paths in this folder are relative to it: the folder can move to another machine.")
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash line, not a template
    .fixed('cd "$(dirname "${BASH_SOURCE[0]}")"')
    .comment(
      "cftkit as the planning machine called it; on another machine edit this line (e.g. npx cftkit).",
    );
  return script.functionDefinition("cftkit", cftkit).blank();
}

/**
 * Write every plan (`<name>.plan.yaml`), its Axolotl config (`<name>.axolotl.yml`, plus DeepSpeed json when
 * asked) and a `commands.sh` listing the runs in dependency order (Phase 1 before the Phase-2 runs that
 * start from it). Paths in all of them are relative to `outDir`. Plans whose freeze selection does not
 * exist yet get no config now: `cftkit train run` reads the selection and writes the config when it runs.
 */
export async function writePlanGrid(
  compiled: CompiledExperiment,
  outDir: string,
  options: PlanGridOptions = {},
): Promise<PlanGrid> {
  const backend = options.backend ?? "axolotl";
  const executable = options.executable ?? "axolotl";
  const root = resolve(outDir);
  const entries: PlanGridEntry[] = [];
  const pending = new Map(compiled.pending.map((p) => [p.plan, p.waitingFor]));
  const script = scriptHeader(compiled, backend, options.cftkit ?? ["cftkit"]);
  const ordered = [...compiled.plans].sort((a, b) => (a.phase === 1 ? 0 : 1) - (b.phase === 1 ? 0 : 1));
  for (const absolutePlan of ordered) {
    const plan = planRelativeTo(absolutePlan, root);
    const stem = planFileStem(plan.name);
    const planFile = `${stem}.plan.yaml`;
    await writeTrainingPlan(join(outDir, planFile), plan);
    const entry: PlanGridEntry = {
      name: plan.name,
      strategy: plan.strategy,
      setting: plan.setting,
      phase: plan.phase,
      planPath: join(outDir, planFile),
      dependsOn: plan.depends_on,
    };
    script.comment(`${plan.name}${plan.depends_on.length ? ` (after ${plan.depends_on.join(", ")})` : ""}`);
    const embeddedOnly = plan.base_model.startsWith("init:");
    const waiting = pending.get(plan.name);
    if (waiting) {
      entry.pendingInput = waiting;
      script.comment(`waits for the freeze selection ${relative(root, waiting)}`);
    }
    if (!waiting && !embeddedOnly) {
      const configFile = `${stem}.axolotl.yml`;
      const { config, sideFiles } = planToAxolotlConfig(plan, { configDir: "." });
      for (const f of sideFiles) await writeFileAtomic(resolve(root, f.path), f.content);
      await writeFileAtomic(
        join(outDir, configFile),
        axolotlConfigToYaml(
          config,
          `cftkit plan ${plan.name} (strategy ${plan.strategy}); plan: ${planFile}`,
        ),
      );
      entry.axolotlConfigPath = join(outDir, configFile);
      const command = buildAxolotlCommand(configFile, plan.launcher, { executable });
      entry.command = formatCommand(command);
      if (backend === "axolotl") {
        script.command([command.command, ...command.args]);
        // LoRA leaves an adapter; evaluation wants a full model (<output_dir>/merged).
        if (plan.lora) script.command([executable, "merge-lora", configFile]);
      }
    }
    if (backend !== "axolotl" || !entry.command) {
      script.command(["cftkit", "train", "run", planFile, "--backend", embeddedOnly ? "embedded" : backend]);
    }
    script.blank();
    entries.push(entry);
  }
  for (const s of compiled.skipped) script.comment(`skipped ${s.setting}.${s.strategy}: ${s.reason}`);
  for (const m of compiled.missingInputs)
    script.comment(`missing input of ${m.plan} (${m.role}): ${relative(root, m.path)} does not exist yet`);
  for (const note of compiled.notes) script.comment(`note: ${note}`);
  const commandsPath = join(outDir, "commands.sh");
  await writeFileAtomic(commandsPath, script.toString());
  await writeFileAtomic(
    join(outDir, "plans.json"),
    `${JSON.stringify({ experiment: compiled.experiment, entries, skipped: compiled.skipped, notes: compiled.notes }, null, 2)}\n`,
  );
  return {
    outDir,
    entries,
    commandsPath,
    skipped: compiled.skipped,
    missingInputs: compiled.missingInputs,
    notes: compiled.notes,
  };
}

/** Where `writeExperimentPlans` writes (`cftkit train plan --out`): the folder, and the commands.sh in it. */
export const experimentPlansOptionsSchema = z.object({
  out: z
    .string()
    .min(1)
    .meta({ path: "output-folder", writes: (dir: string) => [join(dir, "commands.sh")] })
    .describe("folder for the plans, Axolotl configs and commands.sh"),
});

/**
 * `writePlanGrid` from an experiment file (`cftkit train plan`): read it, compile it with paths resolved
 * against its folder, and write the grid with the experiment's own backend.
 */
export async function writeExperimentPlans(
  experimentPath: string,
  outDir: string,
  options: Pick<PlanGridOptions, "cftkit"> = {},
): Promise<{ experiment: string; backend: "axolotl" | "embedded"; grid: PlanGrid }> {
  const experiment = await readExperiment(experimentPath);
  const compiled = await compileExperiment(experiment, { baseDir: dirname(experimentPath), experimentPath });
  const grid = await writePlanGrid(compiled, outDir, { backend: experiment.backend, cftkit: options.cftkit });
  return { experiment: experiment.name, backend: experiment.backend, grid };
}
