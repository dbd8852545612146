import { CftkitError } from "@cftkit/core";
import { z } from "zod";
import { QUICKSTART_PROFILE_NAMES, type QuickstartProfile } from "./quickstart-profile.js";

// Its own entry (`@cftkit/runner/quickstart-settings`, nothing heavy behind it) so `cftkit --help` can read it.

/** A profile's name checked against the runner's list; an unknown one is CLI_BAD_PROFILE. */
export function parseQuickstartProfile(name: string): QuickstartProfile {
  const known: readonly string[] = QUICKSTART_PROFILE_NAMES;
  if (!known.includes(name))
    throw new CftkitError("CLI_BAD_PROFILE", `--profile must be fast, default or full, got "${name}"`);
  return name as QuickstartProfile;
}

/**
 * What a quickstart run is asked for: `runQuickstart` checks it, `cftkit quickstart` builds its flags from it.
 * The profile is checked by parseQuickstartProfile (its error, not a zod issue), so the message lists them.
 */
export const quickstartSettingsSchema = z.object({
  out: z.string().min(1).default("runs/quickstart").describe("where everything goes"),
  profile: z
    .string()
    .min(1)
    .transform(parseQuickstartProfile)
    .default("default")
    .describe("fast (tests, ~1-2 min) | default (< 15 min on 2 cores) | full (small model, more steps)"),
  seed: z.uint32().default(0).describe("seed of data sampling, model init and training"),
});
