import { basename, dirname, relative } from "node:path";
import { formatTable } from "@cftkit/core";
import type { Dtype } from "./dtype.js";
import { SafetensorsCheckpoint } from "./checkpoint.js";

/** What a checkpoint holds, with shard files named relative to it (the `cftkit inspect --json` document). */
export interface CheckpointListing {
  tensors: { name: string; dtype: Dtype; shape: number[]; file: string }[];
  totalParameters: number;
  totalBytes: number;
  files: string[];
  metadata: Record<string, string>;
}

/** List the tensors (dtype, shape, shard file) of a `.safetensors` file or a checkpoint folder. */
export async function listCheckpoint(path: string): Promise<CheckpointListing> {
  const checkpoint = await SafetensorsCheckpoint.open(path);
  try {
    // Files are named from the folder that holds them: the file's own folder, the index's, or the folder given.
    const single = checkpoint.files.length === 1 && checkpoint.files[0] === checkpoint.path;
    const root = single || checkpoint.path.endsWith(".json") ? dirname(checkpoint.path) : checkpoint.path;
    const name = (file: string) => relative(root, file) || basename(file);
    return {
      tensors: checkpoint.tensors.map((t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        file: name(t.file),
      })),
      totalParameters: checkpoint.totalParameters,
      totalBytes: checkpoint.totalBytes,
      files: checkpoint.files.map(name),
      metadata: checkpoint.metadata,
    };
  } finally {
    await checkpoint.close();
  }
}

/**
 * The listing in words (`cftkit inspect` without --json): a table of the tensors (with their file when the
 * checkpoint is sharded), then the totals.
 */
export function describeCheckpoint(listing: CheckpointListing): string[] {
  const multi = listing.files.length > 1;
  const header = multi ? ["name", "dtype", "shape", "file"] : ["name", "dtype", "shape"];
  const rows = listing.tensors.map((t) => [
    t.name,
    t.dtype,
    `[${t.shape.join(", ")}]`,
    ...(multi ? [t.file] : []),
  ]);
  const parameters = listing.totalParameters.toLocaleString("en-US");
  return [
    ...formatTable(header, rows),
    "",
    `${listing.tensors.length} tensors in ${listing.files.length} file(s), ${parameters} parameters, ${formatBytes(listing.totalBytes)}`,
  ];
}

/** A byte count in B, KiB, MiB or GiB. */
function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}
