import { CftkitError, type CftkitErrorCode } from "./cftkit-error.js";

/** What formatZodIssues reads of a zod error (structural, so core needs no zod dependency). */
export interface SchemaIssues {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/**
 * A zod error as text naming every offending key: `settings.0.name: …; training.lr: …`.
 * `separator` joins the issues (`"\n  "` lists one per line).
 */
export function formatZodIssues(error: SchemaIssues, separator = "; "): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
    .join(separator);
}

/** A schema as checkOptions uses it (structural: zod's `safeParse`). */
export interface OptionsSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: SchemaIssues };
}

/**
 * A package function's options checked by the schema its CLI command is built from, so the API and the
 * CLI refuse the same values: e.g. @cftkit/freeze checks spectrum() options with spectrumOptionsSchema.
 */
export function checkOptions<T>(schema: OptionsSchema<T>, value: unknown, code: CftkitErrorCode): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CftkitError(code, `bad options: ${formatZodIssues(parsed.error)}`, { exitCode: 2 });
}
