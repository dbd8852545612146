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
