import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CftkitError } from "@cftkit/core";

/** The bundled public data (data/ at the repository root, or beside the installed package). */
export function bundledDataDir(): string {
  const candidates = [
    fileURLToPath(new URL("../../../data/", import.meta.url)), // packages/runner/src/ or packages/runner/dist/
    resolve("data"),
  ];
  const found = candidates.find((c) => existsSync(join(c, "xquad", "xquad.en.json")));
  if (!found)
    throw new CftkitError(
      "QUICKSTART_DATA_MISSING",
      `the bundled data (data/xquad, data/alpaca, data/mt_bench) was not found; looked in ${candidates.join(", ")}`,
    );
  return found;
}
