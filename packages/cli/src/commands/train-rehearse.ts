import { printJson } from "../cli-output.js";
import { defineCommand, flag, param, pathParam } from "../define-command.js";

/**
 * `cftkit train rehearse <config>`: run an Axolotl config with the embedded CPU trainer (or merge its LoRA
 * adapter, or only check what would train), printing what `axolotl train` prints.
 */
const rehearse = defineCommand({
  path: ["train", "rehearse"],
  description:
    "run an Axolotl config on the embedded CPU trainer (small local models): same data, batches, schedule, checkpoints and Trainer-style log",
  examples: [
    "cftkit train rehearse runs/phase1/axolotl.yml",
    "cftkit train rehearse runs/lf_h2/axolotl.yml --check",
    "cftkit train rehearse runs/lora/axolotl.yml --merge-lora",
  ],
  args: {
    config: pathParam("<config>", "Axolotl YAML config (base_model must be a local folder)", "input"),
  },
  options: {
    mergeLora: param(
      "--merge-lora",
      "merge the LoRA adapter in output_dir into <output_dir>/merged (as axolotl merge-lora)",
      flag(),
    ),
    check: param("--check", "only apply unfrozen_parameters to the base model and print what trains", flag()),
    ignoreUnsupported: param(
      "--ignore-unsupported",
      "go on although some keys cannot be honoured (they are listed)",
      flag(),
    ),
  },
  async run(options) {
    const { rehearsalDocument, rehearseAxolotlConfig } = await import("@cftkit/trainer");
    // With --json the Trainer lines go to stderr and stdout holds one JSON summary.
    const stream = options.json ? process.stderr : process.stdout;
    const result = await rehearseAxolotlConfig(options.config, {
      mergeLora: options.mergeLora,
      check: options.check,
      ignoreUnsupported: options.ignoreUnsupported,
      write: (line) => stream.write(`${line}\n`),
    });
    if (options.json) printJson(rehearsalDocument(result));
  },
});

export const trainRehearseCommands = [rehearse];
