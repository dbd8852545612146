import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A path under the repository's bundled `data/` folder. */
export function dataPath(relative: string): string {
  return fileURLToPath(new URL(`../../../data/${relative}`, import.meta.url));
}

export function repoRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}

export function tempDir(label = "datasets"): string {
  return mkdtempSync(join(tmpdir(), `cftkit-${label}-`));
}

export const XQUAD_LANGUAGES = ["ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh"];
