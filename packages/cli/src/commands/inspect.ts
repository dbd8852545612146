import { describeCheckpoint, listCheckpoint } from "@cftkit/safetensors";
import { printResult } from "../cli-output.js";
import { defineCommand, pathParam } from "../define-command.js";

/** `cftkit inspect <file-or-dir>`: list the tensors of a safetensors file or checkpoint folder. */
const inspect = defineCommand({
  path: ["inspect"],
  description: "list the tensors (dtype, shape, shard file) of a .safetensors file or a checkpoint folder",
  examples: ["cftkit inspect models/tiny", "cftkit inspect model.safetensors --json"],
  args: {
    path: pathParam(
      "<file-or-dir>",
      "a .safetensors file, or a folder with model.safetensors or an index + shards",
      "input",
    ),
  },
  async run(options) {
    const result = await listCheckpoint(options.path);
    printResult(options, result, () => describeCheckpoint(result));
  },
});

export const inspectCommands = [inspect];
