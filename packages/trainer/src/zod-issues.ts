import type { z } from "zod";

/** A zod error as one line naming every offending key: `settings.0.name: …; training.lr: …`. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
}
