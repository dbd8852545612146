import type { z } from "zod";

/** What a zod issue asks of a value, in words: "≥ 0", "a whole number", "one of a, b". */
function requirement(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      if (issue.origin === "array") return `at least ${issue.minimum} value(s)`;
      if (issue.origin === "string") return "non-empty";
      return `${issue.inclusive ? "≥" : ">"} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `at most ${issue.maximum} value(s)`;
      return `${issue.inclusive ? "≤" : "<"} ${issue.maximum}`;
    case "invalid_type":
      return issue.expected === "int" ? "a whole number" : `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map(String).join(", ")}`;
    default:
      return issue.message;
  }
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(",");
  return typeof value === "string" && (value === "" || /\s/.test(value))
    ? JSON.stringify(value)
    : String(value);
}

/**
 * The message for a value the schema refused, naming what the user typed:
 * `--limit must be ≥ 0, got -3`, `--ratios value 2 must be ≥ 0, got -0.5`.
 */
export function describeBadValue(name: string, raw: unknown, issues: z.core.$ZodIssue[]): string {
  const issue = issues[0]!;
  const index = typeof issue.path[0] === "number" ? issue.path[0] : undefined;
  let got: unknown = raw;
  if (index !== undefined) {
    const items = Array.isArray(raw) ? raw : String(raw).split(",");
    got = typeof items[index] === "string" ? items[index].trim() : items[index];
  }
  const where = index !== undefined ? `${name} value ${index + 1}` : name;
  return `${where} must be ${requirement(issue)}, got ${show(got)}`;
}
