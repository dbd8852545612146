import type { Command } from "commander";
import { type CommonOptions, printJson } from "../cli-output.js";
import type { CommandModule } from "../command-module.js";

interface RehearseCliOptions extends CommonOptions {
  mergeLora?: boolean;
  check?: boolean;
  ignoreUnsupported?: boolean;
}

/**
 * `cftkit train rehearse <config.axolotl.yml>`: run an Axolotl config with the embedded CPU trainer (or merge
 * its LoRA adapter, or only check what would train), printing what `axolotl train` prints.
 */
export const trainRehearseCommand: CommandModule = {
  register(program: Command) {
    const train =
      program.commands.find((c) => c.name() === "train") ??
      program.command("train").description("training plans and backends");
    train
      .command("rehearse")
      .description(
        "run an Axolotl config on the embedded CPU trainer (small local models): same data, batches, schedule, checkpoints and Trainer-style log",
      )
      .argument("<config>", "Axolotl YAML config (base_model must be a local folder)")
      .option(
        "--merge-lora",
        "merge the LoRA adapter in output_dir into <output_dir>/merged (as axolotl merge-lora)",
      )
      .option("--check", "only apply unfrozen_parameters to the base model and print what trains")
      .option("--ignore-unsupported", "go on although some keys cannot be honoured (they are listed)")
      .option("--json", "print one JSON summary at the end (the Trainer lines go to stderr)")
      .action(async (config: string, options: RehearseCliOptions) => {
        const { rehearseAxolotlConfig } = await import("@cftkit/trainer");
        const stream = options.json ? process.stderr : process.stdout;
        const result = await rehearseAxolotlConfig(config, {
          mergeLora: options.mergeLora,
          check: options.check,
          ignoreUnsupported: options.ignoreUnsupported,
          write: (line) => stream.write(`${line}\n`),
        });
        if (options.json)
          printJson({
            mode: result.mode,
            output_dir: result.outputDir,
            trainable_parameters: result.check.trainableParameters,
            total_parameters: result.check.totalParameters,
            patterns: result.check.patterns,
            warnings: result.check.warnings,
            unsupported: result.unsupported,
            hardware_only: result.hardwareOnly,
            steps: result.steps,
            final_loss: result.finalLoss,
            merged_dir: result.mergedDir,
          });
      });
  },
};
