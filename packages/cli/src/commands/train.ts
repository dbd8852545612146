import { dirname } from "node:path";
import { CftkitError, printable, shellComment, writeFileAtomic } from "@cftkit/core";
import {
  compileExperiment,
  metricToJson,
  readAxolotlLogFile,
  planToTrainOptions,
  prepareAxolotlRun,
  readExperiment,
  readTrainingPlan,
  resolvePlanInputs,
  runAxolotl,
  runEmbedded,
  writePlanGrid,
} from "@cftkit/trainer";
import type { Command } from "commander";
import { type CommonOptions, formatTable, log, printHuman, printJson, progress } from "../cli-output.js";
import { cftkitInvocation } from "../cftkit-invocation.js";
import type { CommandModule } from "../command-module.js";

interface RunOptions extends CommonOptions {
  backend: string;
  dryRun?: boolean;
  resume?: boolean;
  axolotl?: string;
  verbose?: boolean;
}

/** `cftkit train plan|run|logs`: training plans, the Axolotl and embedded backends, Axolotl log parsing. */
export const trainCommand: CommandModule = {
  register(program: Command) {
    const train = program
      .command("train")
      .description(
        "compile experiments into training plans and run them with Axolotl (GPU) or the embedded trainer (CPU)",
      );

    train
      .command("plan")
      .description("write every training plan of an experiment, its Axolotl YAML and a commands.sh listing")
      .argument("<experiment>", "experiment file (YAML or JSON)")
      .requiredOption("--out <dir>", "folder for the plans, Axolotl configs and commands.sh")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (experimentPath: string, options: CommonOptions & { out: string }) => {
        const experiment = await readExperiment(experimentPath);
        const compiled = await compileExperiment(experiment, {
          baseDir: dirname(experimentPath),
          experimentPath,
        });
        const grid = await writePlanGrid(compiled, options.out, {
          backend: experiment.backend,
          cftkit: cftkitInvocation(),
        });
        if (options.json) {
          printJson({
            experiment: experiment.name,
            backend: experiment.backend,
            out: grid.outDir,
            commands: grid.commandsPath,
            plans: grid.entries.map((e) => ({
              name: e.name,
              setting: e.setting,
              strategy: e.strategy,
              phase: e.phase,
              plan: e.planPath,
              axolotl_config: e.axolotlConfigPath ?? null,
              command: e.command ?? null,
              pending_input: e.pendingInput ?? null,
              depends_on: e.dependsOn,
            })),
            skipped: grid.skipped,
            missing_inputs: grid.missingInputs,
            notes: grid.notes,
          });
          return;
        }
        printHuman(
          options,
          formatTable(
            ["plan", "phase", "axolotl config"],
            grid.entries.map((e) => [
              e.name,
              String(e.phase),
              e.axolotlConfigPath ?? `pending: ${e.pendingInput}`,
            ]),
          ),
        );
        for (const s of grid.skipped) log(options, `skipped ${s.setting}.${s.strategy}: ${s.reason}`);
        for (const m of grid.missingInputs)
          log(options, `warning: ${m.plan} reads ${printable(m.path)} (${m.role}), which does not exist yet`);
        for (const note of grid.notes) log(options, `note: ${note}`);
        printHuman(
          options,
          `\n${grid.entries.length} plans written to ${grid.outDir}; run them in order: ${grid.commandsPath}`,
        );
      });

    train
      .command("run")
      .description(
        "run one plan with Axolotl (needs a GPU machine with Axolotl installed) or the embedded CPU trainer",
      )
      .argument("<plan>", "a plan file written by `cftkit train plan`")
      .option("--backend <backend>", "axolotl | embedded", "axolotl")
      .option("--dry-run", "print the Axolotl YAML and the exact command (or the embedded settings) and stop")
      .option("--no-resume", "start over even when output_dir has checkpoints")
      .option("--axolotl <path>", "the axolotl executable (default: `axolotl` on PATH, or $CFTKIT_AXOLOTL)")
      .option("--verbose", "pass Axolotl's raw output through to stderr")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (planPath: string, options: RunOptions) => {
        if (options.backend !== "axolotl" && options.backend !== "embedded") {
          throw new CftkitError(
            "CLI_BAD_OPTION",
            `--backend expects axolotl or embedded, got "${options.backend}"`,
          );
        }
        const plan = await readTrainingPlan(planPath);
        if (options.backend === "axolotl") {
          if (options.dryRun) {
            const prepared = await prepareAxolotlRun(plan, {
              executable: options.axolotl,
              resume: options.resume,
            });
            if (options.json) {
              printJson({
                backend: "axolotl",
                plan: plan.name,
                config_path: prepared.configPath,
                yaml: prepared.yaml,
                command: prepared.commandLine,
                argv: [prepared.command.command, ...prepared.command.args],
                side_files: prepared.sideFiles,
                resume_from: prepared.resumeFrom ?? null,
              });
              return;
            }
            printHuman(options, `${shellComment(prepared.configPath)}\n${prepared.yaml}`);
            for (const f of prepared.sideFiles) printHuman(options, `${shellComment(f.path)}\n${f.content}`);
            printHuman(options, `# command\n${prepared.commandLine}`);
            return;
          }
          const result = await runAxolotl(plan, {
            executable: options.axolotl,
            resume: options.resume,
            progress: progress(options),
            onOutput: options.verbose ? (_s, text) => process.stderr.write(text) : undefined,
          });
          if (options.json) {
            printJson({ backend: "axolotl", plan: plan.name, ...result });
            return;
          }
          printHuman(
            options,
            `${plan.name}: done (${result.metrics} metric lines${result.finalLoss !== undefined ? `, final loss ${result.finalLoss}` : ""}); model in ${result.artifacts.outputDir}, metrics in ${result.metricsPath}`,
          );
          return;
        }
        if (options.dryRun) {
          const settings = planToTrainOptions(await resolvePlanInputs(plan));
          if (options.json) printJson({ backend: "embedded", plan: plan.name, options: settings });
          else printHuman(options, JSON.stringify(settings, null, 2));
          return;
        }
        const result = await runEmbedded(plan, { progress: progress(options), resume: options.resume });
        if (options.json) {
          printJson({ backend: "embedded", plan: plan.name, ...result });
          return;
        }
        printHuman(
          options,
          `${plan.name}: ${result.steps} steps, final loss ${result.finalLoss.toFixed(4)}; model in ${result.modelDir}, metrics in ${result.metricsPath}`,
        );
      });

    train
      .command("logs")
      .description("parse a saved Axolotl log (metric dicts, tqdm progress) into metrics")
      .argument("<file>", "a log saved from `axolotl train … 2>&1 | tee train.log`")
      .option("--out <metrics.jsonl>", "also write the metrics as JSON lines")
      .option("--json", "print one JSON document")
      .option("--quiet", "no logs on stderr")
      .action(async (file: string, options: CommonOptions & { out?: string }) => {
        const parsed = await readAxolotlLogFile(file);
        const metrics = parsed.metrics.map(metricToJson);
        if (options.out)
          await writeFileAtomic(options.out, metrics.map((m) => `${JSON.stringify(m)}\n`).join(""));
        if (options.json) {
          printJson({
            file,
            metrics,
            counts: {
              train: parsed.metrics.filter((m) => m.type === "train").length,
              eval: parsed.metrics.filter((m) => m.type === "eval").length,
              summary: parsed.metrics.filter((m) => m.type === "summary").length,
            },
            progress: parsed.progress ?? null,
            failure_signals: parsed.signals,
          });
          return;
        }
        const show = (v: unknown) =>
          v === undefined ? "" : typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);
        printHuman(
          options,
          formatTable(
            ["type", "step", "epoch", "loss", "eval_loss", "grad_norm", "learning_rate"],
            metrics.map((m) => [
              show(m.type),
              show(m.step),
              show(m.epoch),
              show(m.loss ?? m.train_loss),
              show(m.eval_loss),
              show(m.grad_norm),
              show(m.learning_rate),
            ]),
          ),
        );
        if (parsed.signals.length) log(options, `failure signatures seen: ${parsed.signals.join(", ")}`);
      });
  },
};
