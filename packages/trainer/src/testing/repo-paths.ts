import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { AxolotlSchemaFacts } from "../axolotl-schema-check.js";

/** The repository root (tests read bundled data from here). */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export function repoPath(relative: string): string {
  return fileURLToPath(new URL(relative, new URL("../../../../", import.meta.url)));
}

/** data/axolotl_schema.json: the Axolotl 0.18 schema facts. */
export function loadAxolotlSchema(): AxolotlSchemaFacts {
  return JSON.parse(readFileSync(repoPath("data/axolotl_schema.json"), "utf8")) as AxolotlSchemaFacts;
}
