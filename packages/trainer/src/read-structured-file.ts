import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { CftkitError, type CftkitErrorCode } from "@cftkit/core";
import { parse as parseYaml } from "yaml";

/**
 * Read a YAML file (or JSON, for `.json` paths) into a plain value, with typed errors that name the file:
 * `<what>` is used in messages ("experiment", "plan"), the codes say unreadable vs not YAML/JSON.
 */
export async function readStructuredFile(
  path: string,
  what: string,
  codes: { notReadable: CftkitErrorCode; invalid: CftkitErrorCode },
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CftkitError(codes.notReadable, `cannot read ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CftkitError(codes.invalid, `${path}: not valid YAML/JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
