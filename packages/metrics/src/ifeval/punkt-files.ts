/**
 * Node only: read Punkt tables from disk, and make the package's own English tables the default
 * (importing this module registers them; nothing is read until a sentence is first split).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError } from "@cftkit/core/errors";
import { type PunktParameters, setEnglishPunktParameters } from "./punkt.js";
import { PUNKT_TABLE_FILES, type PunktTableTexts, parsePunktTables } from "./punkt-tables.js";

/** Load a plain-text `punkt_tab/<language>/` folder (abbrev_types.txt, collocations.tab, …). */
export function loadPunktParameters(dir: string): PunktParameters {
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch (cause) {
      throw new CftkitError("PUNKT_MISSING_TABLE", `cannot read Punkt table ${join(dir, name)}`, { cause });
    }
  };
  const texts = Object.fromEntries(
    Object.entries(PUNKT_TABLE_FILES).map(([key, name]) => [key, read(name)]),
  ) as unknown as PunktTableTexts;
  return parsePunktTables(texts, dir);
}

/**
 * `CFTKIT_PUNKT_DIR`, else the first `data/punkt_tab/english/` found walking up from this module: the package's
 * own copy, whether running from src/ or the published dist/.
 */
export function englishPunktTablesDir(): string {
  if (process.env.CFTKIT_PUNKT_DIR) return process.env.CFTKIT_PUNKT_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "data", "punkt_tab", "english");
    if (existsSync(join(candidate, PUNKT_TABLE_FILES.orthoContext))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CftkitError(
    "PUNKT_TABLES_NOT_FOUND",
    "cannot find data/punkt_tab/english/ (NLTK Punkt English tables); set CFTKIT_PUNKT_DIR to the folder",
  );
}

setEnglishPunktParameters(() => loadPunktParameters(englishPunktTablesDir()));
