import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { CftkitError, type CftkitErrorCode } from "@cftkit/core";
import type { PathRole } from "./define-command.js";

/** One path a command was given, with the name the user typed it under (`--out`, `<in>`). */
export interface GivenPath {
  name: string;
  role: PathRole;
  path: string;
  /** Further paths an output writes (e.g. `<out>/manifest.json`). */
  writes?: string[];
}

/** Files whose replacement would break a model folder. */
const MODEL_FILE =
  /^(config\.json|generation_config\.json|tokenizer(_config)?\.json|.*\.safetensors(\.index\.json)?)$/;

/** The real path, following symlinks of the longest existing prefix (so `a/../b` and links compare equal). */
export function realPath(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}

const isInside = (child: string, folder: string) => {
  const rel = relative(folder, child);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep);
};

function holdsModel(folder: string): boolean {
  return readdirSync(folder).some((f) => f === "config.json" || f.endsWith(".safetensors"));
}

const fail = (code: CftkitErrorCode, message: string) => new CftkitError(code, message, { exitCode: 2 });

/**
 * The one rule set every command's paths go through, before the command runs:
 * an output never replaces an input (nor a model file inside an input model folder), two outputs never
 * share a path, an output (and each file it writes beside or inside itself) is of the kind the command
 * writes, and an existing model is kept unless `force`.
 */
export function checkPaths(given: GivenPath[], options: { force?: boolean } = {}): void {
  const inputs = given.filter((g) => g.role === "input" || g.role === "model");
  const outputs = given
    .filter((g) => g.role.startsWith("output-"))
    .flatMap((g) => [g.path, ...(g.writes ?? [])].map((path) => ({ ...g, path, real: realPath(path) })));
  for (const out of outputs) {
    for (const input of inputs) {
      const real = realPath(input.path);
      if (out.real === real)
        throw fail(
          "CLI_OUTPUT_IS_INPUT",
          `${out.name} ${out.path} is also the input ${input.name}: it would be overwritten; choose another output path`,
        );
      if (input.role === "model" && isInside(out.real, real) && MODEL_FILE.test(basename(out.real)))
        throw fail(
          "CLI_OUTPUT_IS_INPUT",
          `${out.name} would overwrite ${out.path} inside the input model folder ${input.name} ${input.path}; choose another output path`,
        );
    }
  }
  for (const [i, a] of outputs.entries()) {
    const b = outputs.slice(i + 1).find((o) => o.real === a.real);
    if (b)
      throw fail(
        "CLI_OUTPUTS_COLLIDE",
        `${a.name} and ${b.name} both write ${a.path}: one would replace the other; give them different paths`,
      );
  }
  for (const out of given.filter((g) => g.role.startsWith("output-"))) {
    const folderAt = out.writes?.find((w) => existsSync(w) && statSync(w).isDirectory());
    if (folderAt)
      throw fail(
        "CLI_OUTPUT_NOT_A_FILE",
        `${out.name} ${out.path} writes the file ${folderAt}, which is a folder; move it or choose another output path`,
      );
    if (!existsSync(out.path)) continue;
    const folder = statSync(out.path).isDirectory();
    if (out.role === "output-file" && folder)
      throw fail("CLI_OUTPUT_NOT_A_FILE", `${out.name} ${out.path} is a folder; it must name a file`);
    if (out.role !== "output-file" && !folder)
      throw fail("CLI_OUTPUT_NOT_A_FOLDER", `${out.name} ${out.path} is a file; it must name a folder`);
    if (out.role === "output-model" && !options.force && holdsModel(out.path))
      throw fail(
        "CLI_OUTPUT_EXISTS",
        `${out.name} ${out.path} already holds a model; it is kept — pass --force to replace it, or choose another folder`,
      );
  }
}
