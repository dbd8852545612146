import { defaultOutputLayoutOption } from "@cftkit/datasets";
import { z } from "zod";

const file = () => z.string().min(1);

/**
 * The files, seed and output layout of `mixReplayFiles`, as `cftkit replay mix` gives them; `.meta({ path })` tells the CLI's
 * path guard which are read and which is written.
 */
export const replayMixFilesSchema = z.object({
  phase2: file().meta({ path: "input" }).describe("the Phase-2 set"),
  replay: z
    .array(file())
    .min(1)
    .meta({ path: "input" })
    .describe("replay buffers (replay.jsonl of `replay er` / `replay gr`)"),
  seed: z.uint32().default(0).describe("shuffle seed"),
  out: file()
    .meta({ path: "output-file", writes: (out: string) => [mixManifestPath(out)] })
    .describe("mixed training file (JSONL); the manifest goes to <out minus .jsonl>.manifest.json"),
  format: defaultOutputLayoutOption("embedded"),
});

/** Where the manifest of a mixed file `out` goes: `<out minus .jsonl>.manifest.json`. */
export const mixManifestPath = (out: string) => `${out.replace(/\.jsonl$/, "")}.manifest.json`;
