import { z } from "zod";

// Its own entry (`@cftkit/runner/experiment-file-options`, nothing heavy behind it) so `cftkit --help` can read it.

/** Which steps `runExperimentFile` runs, or whether it only lists them; `cftkit run` builds its flags from it. */
export const experimentFileOptionsSchema = z.object({
  only: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("run only these steps, comma-separated (`--dry-run` lists the step table)"),
  from: z.string().min(1).optional().describe("run this step and every later one"),
  dryRun: z
    .boolean()
    .default(false)
    .describe(
      "print the step table and every training plan, Axolotl YAML and command of the experiment, and run nothing",
    ),
});
