import { listCheckpoint } from "@cftkit/safetensors";
import { formatTable, printResult } from "../cli-output.js";
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
    const multi = result.files.length > 1;
    const header = multi ? ["name", "dtype", "shape", "file"] : ["name", "dtype", "shape"];
    const rows = result.tensors.map((t) => [
      t.name,
      t.dtype,
      `[${t.shape.join(", ")}]`,
      ...(multi ? [t.file] : []),
    ]);
    printResult(options, result, () => [
      formatTable(header, rows),
      `\n${result.tensors.length} tensors in ${result.files.length} file(s), ${result.totalParameters.toLocaleString("en-US")} parameters, ${formatBytes(result.totalBytes)}`,
    ]);
  },
});

export const inspectCommands = [inspect];

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
