import { basename, dirname, relative } from "node:path";
import { SafetensorsCheckpoint } from "@cftkit/safetensors";
import { formatTable, printHuman, printJson } from "../cli-output.js";
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
    const checkpoint = await SafetensorsCheckpoint.open(options.path);
    try {
      const root =
        checkpoint.files.length === 1 && checkpoint.files[0] === checkpoint.path
          ? dirname(checkpoint.path)
          : checkpoint.path.endsWith(".json")
            ? dirname(checkpoint.path)
            : checkpoint.path;
      const tensors = checkpoint.tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        file: relative(root, t.file) || basename(t.file),
      }));
      const result = {
        tensors,
        totalParameters: checkpoint.totalParameters,
        totalBytes: checkpoint.totalBytes,
        files: checkpoint.files.map((f) => relative(root, f) || basename(f)),
        metadata: checkpoint.metadata,
      };
      if (options.json) {
        printJson(result);
        return;
      }
      const multi = checkpoint.files.length > 1;
      const header = multi ? ["name", "dtype", "shape", "file"] : ["name", "dtype", "shape"];
      const rows = tensors.map((t) => {
        const row = [t.name, t.dtype, `[${t.shape.join(", ")}]`];
        if (multi) row.push(t.file);
        return row;
      });
      printHuman(options, formatTable(header, rows));
      printHuman(
        options,
        `\n${tensors.length} tensors in ${checkpoint.files.length} file(s), ${result.totalParameters.toLocaleString("en-US")} parameters, ${formatBytes(result.totalBytes)}`,
      );
    } finally {
      await checkpoint.close();
    }
  },
});

export const inspectCommands = [inspect];

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
