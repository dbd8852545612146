import { rehearsalDocument, rehearseAxolotlConfig, rehearseOptionsSchema } from "@cftkit/trainer";
import { printJson } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";
import { optionsFrom } from "../schema-options.js";

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
  options: optionsFrom(rehearseOptionsSchema),
  async run(options) {
    // With --json the Trainer lines go to stderr and stdout holds one JSON summary.
    const stream = options.json ? process.stderr : process.stdout;
    const result = await rehearseAxolotlConfig(options.config, {
      ...options,
      write: (line) => stream.write(`${line}\n`),
    });
    if (options.json) printJson(rehearsalDocument(result));
  },
});

export const trainRehearseCommands = [rehearse];
