import { CftkitError } from "@cftkit/core";
import { z } from "zod";
import type { ParamSpec, PathRole } from "./define-command.js";

// ---- values that arrive as command-line strings ----

/** A numeric string becomes a number; anything else stays a string so zod reports "must be a number". */
export function toNumber(value: unknown): unknown {
  if (typeof value !== "string" || value.trim() === "") return value;
  const n = Number(value);
  return Number.isNaN(n) ? value : n;
}

/** `a, b,c` → ["a", "b", "c"]; anything but a string stays as it is. */
export function toList(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** What a command changes about one field of a package's option schema. */
export interface FieldOverride {
  /** The flag's words when they differ from the field's name: `"lr"` for `learningRate` (the key becomes `lr`). */
  flag?: string;
  /** The value's name in --help: `"P"` gives `--top-percent <P>` (default `<n>`, `<list>` or `<value>`). */
  metavar?: string;
  /** Help text, when the command's wording differs from the schema's `.describe()`. */
  description?: string;
  path?: PathRole;
  writes?: (path: string) => string[];
  aliases?: Record<string, string>;
  repeatable?: boolean;
}

export type Field = z.ZodType & { _zod: { def: { type: string } }; unwrap?: () => Field };

/** The field's own type under `.optional()`, `.default()` and `.nullable()`. */
export function baseOf(field: Field): Field {
  let inner = field;
  while (typeof inner.unwrap === "function" && inner._zod.def.type !== "array") inner = inner.unwrap();
  return inner;
}

const PATH_ROLES: readonly PathRole[] = ["input", "model", "output-file", "output-folder", "output-model"];

/**
 * What a package said of a path field with `.meta({ path: role, writes })` (read through `.optional()` and
 * `.default()`): its role, and the files an output writes beside or inside itself, so the package that reads
 * or writes the path says what it is and the guard checks it.
 */
function pathMetaOf(field: Field): Pick<ParamSpec, "path" | "writes"> {
  for (let inner: Field | undefined = field; inner; ) {
    const meta = inner.meta() as { path?: unknown; writes?: ParamSpec["writes"] } | undefined;
    if (meta?.path !== undefined) {
      if (!PATH_ROLES.includes(meta.path as PathRole))
        throw new Error(`unknown path role ${String(meta.path)}`);
      return { path: meta.path as PathRole, ...(meta.writes && { writes: meta.writes }) };
    }
    inner =
      typeof inner.unwrap === "function" && inner._zod.def.type !== "array" ? inner.unwrap() : undefined;
  }
  return {};
}

/** `1, 2` → [1, 2]: a list of numbers typed on the command line. */
const toNumbers = (value: unknown): unknown => {
  const items = toList(value);
  return Array.isArray(items) ? items.map(toNumber) : items;
};

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (words: string) => words.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `"seq-len"` → `"seqLen"`, as commander names the option's value. */
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type Overrides<T> = { [K in keyof T]?: FieldOverride | string };
/** A field's key among the command's options: its own, or the camel-cased `flag` override. */
type OptionKey<K, O> = O extends { flag: infer F extends string } ? Camel<F> : K;

/**
 * The command-line form of one schema field: command-line strings become the field's numbers or lists, and
 * the field itself then checks them, so the CLI and the package's API reject the same values.
 */
function cliSchema(field: Field): z.ZodType {
  const base = baseOf(field);
  const type = base._zod.def.type;
  if (type === "number") return z.preprocess(toNumber, field);
  if (type === "array") {
    const element = (base as unknown as { element: Field }).element;
    return z.preprocess(baseOf(element)._zod.def.type === "number" ? toNumbers : toList, field);
  }
  return field;
}

/**
 * A command's options from a package's zod object schema, as Axolotl derives its CLI from its config schema:
 * `topPercent` → `--top-percent <n>`, `.describe()` → the help line, `.default()` → `(default: x)`, a
 * field that is neither optional nor defaulted → `(required)`, an enum → its choices, a boolean → a bare flag
 * (`--no-x` when it defaults to true), `.meta({ path: role, writes })` → the path guard's role (see PathRole) and the files an output writes.
 * An override given as a string is the metavar: `{ topPercent: "P" }`; `{ learningRate: { flag: "lr" } }`
 * renames the flag (and the handler's key) to `--lr`.
 */
// biome-ignore lint/complexity/noBannedTypes: `{}` is "no overrides".
export function optionsFrom<T extends z.ZodRawShape, const O extends Overrides<T> = {}>(
  schema: z.ZodObject<T>,
  overrides: O = {} as O,
): { [K in keyof T as OptionKey<K, O[K]>]: ParamSpec<z.ZodType<z.output<T[K]>>> } {
  const params: Record<string, ParamSpec> = {};
  for (const [key, raw] of Object.entries(schema.shape)) {
    const field = raw as unknown as Field;
    const given: FieldOverride | string = overrides[key as keyof T] ?? {};
    const { flag, metavar, description, ...extra }: FieldOverride =
      typeof given === "string" ? { metavar: given } : given;
    const words = flag ?? kebab(key);
    const type = baseOf(field)._zod.def.type;
    const value = type === "number" ? "n" : type === "array" ? "list" : "value";
    // A flag that is on by default is turned off with `--no-…` (commander keeps the key `words`).
    const on = type === "boolean" && field.safeParse(undefined).data === true;
    const flags = type === "boolean" ? `--${on ? "no-" : ""}${words}` : `--${words} <${metavar ?? value}>`;
    const text = description ?? field.description;
    if (text === undefined) throw new Error(`option ${key} has no .describe() text`);
    params[camel(words)] = {
      flags,
      description: text,
      schema: cliSchema(field),
      ...pathMetaOf(field),
      ...extra,
    };
  }
  return params as { [K in keyof T as OptionKey<K, O[K]>]: ParamSpec<z.ZodType<z.output<T[K]>>> };
}

/**
 * The schema's own fields back from a command's parsed values (the inverse of `optionsFrom`'s renames):
 * `{ lr: 3e-3 }` with `{ learningRate: { flag: "lr" } }` → `{ learningRate: 3e-3 }`.
 */
export function schemaValues<T extends z.ZodRawShape>(
  schema: z.ZodObject<T>,
  overrides: Overrides<T>,
  values: object,
): z.output<z.ZodObject<T>> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const given = overrides[key as keyof T];
    const flag = typeof given === "object" ? given.flag : undefined;
    fields[key] = (values as Record<string, unknown>)[camel(flag ?? kebab(key))];
  }
  return fields as z.output<z.ZodObject<T>>;
}

/**
 * `schemaValues`, then checked by the whole schema, so the rules it sets across fields (`.superRefine`: "give
 * exactly one of --ratio or --count") hold: a broken one is `error[CLI_BAD_OPTION]: <its message>`, or
 * `CLI_MISSING_OPTION` when the rule reports a value as missing (an `invalid_type` issue).
 */
export function checkedSchemaValues<T extends z.ZodRawShape>(
  schema: z.ZodObject<T>,
  overrides: Overrides<T>,
  values: object,
): z.output<z.ZodObject<T>> {
  const parsed = schema.safeParse(schemaValues(schema, overrides, values));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new CftkitError(
    issue.code === "invalid_type" ? "CLI_MISSING_OPTION" : "CLI_BAD_OPTION",
    issue.message,
  );
}
