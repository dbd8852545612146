import { z } from "zod";
import { TRAINING_BACKENDS } from "./experiment-schema.js";

/**
 * How one plan is run (`runAxolotl` / `runEmbedded`, or only shown with `dryRun`); `cftkit train run` builds
 * its flags from it.
 */
export const trainRunOptionsSchema = z.object({
  backend: z.enum(TRAINING_BACKENDS).default("axolotl").describe("trainer"),
  dryRun: z
    .boolean()
    .default(false)
    .describe("print the Axolotl YAML and the exact command (or the embedded settings) and stop"),
  // On by default; described as the `--no-resume` flag that turns it off.
  resume: z.boolean().default(true).describe("start over even when output_dir has checkpoints"),
  axolotl: z
    .string()
    .min(1)
    .optional()
    .describe("the axolotl executable (default: `axolotl` on PATH, or $CFTKIT_AXOLOTL)"),
  verbose: z.boolean().default(false).describe("pass Axolotl's raw output through to stderr"),
});
