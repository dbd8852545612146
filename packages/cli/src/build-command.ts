import { CftkitError } from "@cftkit/core";
import { Argument, type Command, Option } from "commander";
import type { CommonOptions, DeclaredCommand, ParamSpec, Params } from "./define-command.js";
import { describeBadValue } from "./option-errors.js";
import { checkPaths, type GivenPath } from "./path-guard.js";
import { baseOf, type Field } from "./schema-options.js";

/** The allowed values of an enum schema (through `.optional()` / `.default()`), for --help. */
function choicesOf(schema: ParamSpec["schema"]): string[] | undefined {
  const options = (baseOf(schema as Field) as { options?: unknown }).options;
  return Array.isArray(options) ? options.map(String) : undefined;
}

export const isRequired = (spec: ParamSpec) => !spec.schema.safeParse(undefined).success;

/** The help line: description, then `(required)` or `(default: x)` — the one way defaults are shown. */
function helpLine(spec: ParamSpec, positional: boolean): string {
  const aliases = Object.entries(spec.aliases ?? {});
  const choices = choicesOf(spec.schema);
  const note =
    (choices ? `: ${choices.join(" | ")}` : "") +
    (aliases.length ? ` (also accepted: ${aliases.map(([a, c]) => `${a} = ${c}`).join(", ")})` : "");
  const absent = spec.schema.safeParse(undefined);
  if (!absent.success) return `${spec.description}${note}${positional ? "" : " (required)"}`;
  const fallback = absent.data;
  if (fallback === undefined || typeof fallback === "boolean") return `${spec.description}${note}`;
  const show = (v: unknown) =>
    typeof v === "number" && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
  const shown = Array.isArray(fallback) ? fallback.map(show).join(",") : show(fallback);
  return `${spec.description}${note} (default: ${shown})`;
}

const displayName = (spec: ParamSpec, positional: boolean) =>
  positional ? spec.flags.replace(/\.\.\.|[[\]]/g, "") : spec.flags.split(/[ ,]/)[0]!;

/** Every argument, then every option, of a command: its key, its spec, and whether it is positional. */
function* paramsOf(command: DeclaredCommand): Generator<[string, ParamSpec, boolean]> {
  for (const [key, spec] of Object.entries(command.args)) yield [key, spec, true];
  for (const [key, spec] of Object.entries(command.options)) yield [key, spec, false];
}

/** Path-valued parameters as the guard sees them. */
function givenPaths(command: DeclaredCommand, raw: Record<string, unknown>): GivenPath[] {
  const given: GivenPath[] = [];
  for (const [key, spec, positional] of paramsOf(command)) {
    if (!spec.path || raw[key] === undefined) continue;
    for (const path of [raw[key]].flat()) {
      if (typeof path !== "string") continue;
      const name = displayName(spec, positional);
      given.push({ name, role: spec.path, path, writes: spec.writes?.(path) });
    }
  }
  return given;
}

/** Turn commander's raw values into the handler's typed values, or throw a CLI error naming the flag. */
export function parseValues(
  command: DeclaredCommand,
  raw: Record<string, unknown>,
): Record<string, unknown> & CommonOptions {
  const common = raw as CommonOptions;
  for (const [key, spec] of paramsOf(command)) {
    const canonical = typeof raw[key] === "string" ? spec.aliases?.[raw[key] as string] : undefined;
    if (canonical === undefined) continue;
    if (!common.quiet) process.stderr.write(`note: ${raw[key]} is read as ${canonical}\n`);
    raw[key] = canonical;
  }
  checkPaths(givenPaths(command, raw), { force: raw.force === true });
  const values: Record<string, unknown> = { json: common.json === true, quiet: common.quiet === true };
  for (const [key, spec, positional] of paramsOf(command)) {
    const name = displayName(spec, positional);
    const parsed = spec.schema.safeParse(raw[key]);
    if (parsed.success) values[key] = parsed.data;
    else if (raw[key] === undefined)
      throw new CftkitError("CLI_MISSING_OPTION", `${name} is required: ${spec.description}`);
    else throw new CftkitError("CLI_BAD_OPTION", describeBadValue(name, raw[key], parsed.error.issues));
  }
  return values as Record<string, unknown> & CommonOptions;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function addParams(cmd: Command, params: Params): void {
  for (const [key, spec] of Object.entries(params)) {
    const option = new Option(spec.flags, helpLine(spec, false));
    if (spec.repeatable) option.argParser(collect);
    if (option.attributeName() !== key)
      throw new Error(`option ${spec.flags} must be declared under the key "${option.attributeName()}"`);
    cmd.addOption(option);
  }
}

/** Add one declared command (and the groups on its path, described by `groups`) to the program. */
export function addDeclaredCommand(
  program: Command,
  command: DeclaredCommand,
  groups: Record<string, string>,
): void {
  let parent = program;
  for (const word of command.path.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(groups[word] ?? "");
  }
  const cmd = parent.command(command.path.at(-1)!).description(command.description);
  const argKeys = Object.keys(command.args);
  for (const spec of Object.values(command.args))
    cmd.addArgument(new Argument(spec.flags, helpLine(spec, true)));
  addParams(cmd, command.options);
  cmd
    .option("--json", "print one JSON document on stdout")
    .option("--quiet", "no logs or progress on stderr");
  const writesModel = [...paramsOf(command)].some(([, spec]) => spec.path === "output-model");
  if (writesModel) cmd.option("--force", "replace a model already in the output folder");
  cmd.addHelpText("after", `\nExamples:\n${command.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
  cmd.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const raw: Record<string, unknown> = { ...self.opts() };
    argKeys.forEach((key, i) => {
      raw[key] = self.processedArgs[i];
    });
    await command.run(parseValues(command, raw));
  });
}
