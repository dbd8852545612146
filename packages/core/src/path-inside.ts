import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { CftkitError } from "./cftkit-error.js";
import { printable } from "./printable.js";

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The path of `name` — a file a folder's own metadata names, such as a shard in
 * `model.safetensors.index.json` — refused (PATH_OUTSIDE_FOLDER) when it is absolute, climbs out with `..`,
 * or is a symlink that leads outside the folder. Checked before anything is opened; `source` names the
 * file that mentioned it.
 */
export async function resolveInsideFolder(folder: string, name: string, source: string): Promise<string> {
  const refuse = (why: string): never => {
    throw new CftkitError(
      "PATH_OUTSIDE_FOLDER",
      `${source}: "${printable(name, 200)}" ${why}; files it names must stay inside ${folder}`,
      { details: { file: source, name } },
    );
  };
  if (name.includes("\0")) refuse("holds a NUL byte");
  if (isAbsolute(name)) refuse("is an absolute path");
  const root = resolve(folder);
  const path = resolve(root, name);
  if (!isInside(root, path)) refuse("leads outside the folder");
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return path; // does not exist (yet): the caller reports a missing file
  }
  const realRoot = await realpath(root).catch(() => root);
  if (!isInside(realRoot, real)) refuse(`is a link to ${real}, outside the folder`);
  return path;
}
