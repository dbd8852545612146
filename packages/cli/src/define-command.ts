import { z } from "zod";

/**
 * What a path-valued argument or option is to its command. The path guard (path-guard.ts) reads these roles
 * for every command, so no command checks its own outputs against its inputs.
 */
export type PathRole =
  /** A file or folder the command reads. */
  | "input"
  /** A model folder the command reads: writing a model file into it is refused. */
  | "model"
  /** A file the command writes (an existing folder there is refused). */
  | "output-file"
  /** A folder the command writes into (an existing file there is refused). */
  | "output-folder"
  /** A folder that will hold a model: an existing model there is kept unless `--force`. */
  | "output-model";

/** One positional argument or option: its commander syntax, help line, zod schema and path role. */
export interface ParamSpec<S extends z.ZodType = z.ZodType> {
  /** Commander syntax: `"--max-new-tokens <n>"`, `"--chat"`, `"--prompt <text...>"`; args: `"<model-dir>"`. */
  flags: string;
  description: string;
  /**
   * Parses the raw value (a string, string[] or boolean as commander gives it, or undefined when absent).
   * Accepting undefined makes the parameter optional; `.default(x)` also shows `(default: x)` in --help.
   */
  schema: S;
  path?: PathRole;
  /** Other paths an output writes (beside or inside itself), so the guard checks them too. */
  writes?: (path: string) => string[];
  /** Other accepted spellings of a value: `{ chat_template: "axolotl-chat" }`. */
  aliases?: Record<string, string>;
  /** The option may be given several times; the values are collected into a list. */
  repeatable?: boolean;
}

export type Params = Record<string, ParamSpec>;

/** The parsed values a handler receives: one typed field per argument and option. */
export type Values<P extends Params> = { [K in keyof P]: z.output<P[K]["schema"]> };

import type { CommonOptions } from "./cli-output.js";

export type { CommonOptions };

/** A command as data. `path` is the words after `cftkit`, e.g. `["freeze", "spectrum"]`. */
export interface CommandSpec<A extends Params, O extends Params> {
  path: readonly [string, ...string[]];
  description: string;
  /** Shown under "Examples:" in --help; the first is the one to copy. */
  examples: readonly [string, ...string[]];
  /** Positional arguments, in order (object key order). */
  args?: A;
  /** Options; each key must be commander's name for the flag (`--max-new-tokens` → `maxNewTokens`). */
  options?: O;
  run(values: Values<A> & Values<O> & CommonOptions): Promise<void> | void;
}

/** A declared command with its types erased, as the program builder and the tests iterate over them. */
export interface DeclaredCommand {
  path: readonly [string, ...string[]];
  description: string;
  examples: readonly [string, ...string[]];
  args: Params;
  options: Params;
  run(values: Record<string, unknown> & CommonOptions): Promise<void> | void;
}

// biome-ignore lint/complexity/noBannedTypes: `{}` is the right "no parameters" default for the mapped types.
export function defineCommand<A extends Params = {}, O extends Params = {}>(
  spec: CommandSpec<A, O>,
): DeclaredCommand {
  return { ...spec, args: spec.args ?? {}, options: spec.options ?? {} } as unknown as DeclaredCommand;
}

/** Declare a parameter (argument or option); a helper only so that `schema`'s type is kept. */
export function param<S extends z.ZodType>(
  flags: string,
  description: string,
  schema: S,
  extra: Omit<ParamSpec<S>, "flags" | "description" | "schema"> = {},
): ParamSpec<S> {
  return { flags, description, schema, ...extra };
}

/** A path the command reads or writes (see PathRole): `pathParam("--data <file>", "training rows", "input")`. */
export function pathParam(
  flags: string,
  description: string,
  role: PathRole,
  extra: Pick<ParamSpec, "writes"> = {},
): ParamSpec<z.ZodString> {
  return param(flags, description, text(), { path: role, ...extra });
}

/** A text value (a path, a name). */
export const text = () => z.string().min(1);
