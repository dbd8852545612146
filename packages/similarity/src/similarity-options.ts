// Its own entry (`@cftkit/similarity/similarity-options`, nothing heavy behind it) so `cftkit --help` can read it.
import { CftkitError } from "@cftkit/core";
import { z } from "zod";
// The package's error codes (a module augmentation of @cftkit/core): mpdReference throws two of them.
import "./error-codes.js";

/** A model folder the comparison reads; `.meta({ path })` tells the CLI's path guard so. */
const modelFolder = () => z.string().min(1).meta({ path: "model" });

/** The reference model of `mpdReport`: `reference`, or `base`, its name in earlier versions (see mpdReference). */
export const mpdOptionsSchema = z.object({
  reference: modelFolder()
    .optional()
    .describe("Θ1: the model the others are compared with (e.g. the one fine-tuned on the Phase-2 data)"),
  base: modelFolder().optional().describe("alias of --reference (its name in earlier versions)"),
});

/** The one reference model the options name: `reference` or its alias `base`; two different ones, or none, is an error. */
export function mpdReference(options: z.output<typeof mpdOptionsSchema>): string {
  if (options.reference && options.base && options.reference !== options.base) {
    throw new CftkitError("MPD_REFERENCE_TWICE", "--base is an alias of --reference: give one of them", {
      exitCode: 2,
    });
  }
  const reference = options.reference ?? options.base;
  if (!reference) {
    throw new CftkitError(
      "MPD_NO_REFERENCE",
      "--reference <dir> is required: the model the others are compared with (--base is an alias)",
      { exitCode: 2 },
    );
  }
  return reference;
}

/** The options of `driftReport`. */
export const driftOptionsSchema = z.object({
  chart: z
    .string()
    .min(1)
    .meta({ path: "output-file" })
    .optional()
    .describe("also write an SVG line chart of the drift per layer"),
});
