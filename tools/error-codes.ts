/**
 * The error-code catalogues of every package (`packages/<name>/src/error-codes.ts`), the code literals their
 * sources use, and docs/errors.md rendered from the catalogues. Used by tools/error-codes.test.ts and by
 * `npm run docs:errors`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = join(import.meta.dirname, "..");
const PACKAGES = join(ROOT, "packages");

export interface PackageCodes {
  /** Folder name under packages/. */
  name: string;
  /** code → one-line meaning; empty when the package has no catalogue. */
  catalogue: Record<string, string>;
  hasCatalogue: boolean;
  /** Names (folder names) of the @cftkit packages it depends on, transitively. */
  dependencies: string[];
}

/** A literal that looks like an error code, where it occurs, and whether it is `new CftkitError("…"`'s code. */
export interface CodeLiteral {
  code: string;
  file: string;
  line: number;
  thrown: boolean;
}

const CODE_LITERAL = /(CftkitError\(\s*)?"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g;

export function packageNames(): string[] {
  return readdirSync(PACKAGES).filter((d) => existsSync(join(PACKAGES, d, "package.json")));
}

function directDependencies(name: string): string[] {
  const pkg = JSON.parse(readFileSync(join(PACKAGES, name, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(pkg.dependencies ?? {})
    .filter((d) => d.startsWith("@cftkit/"))
    .map((d) => d.slice("@cftkit/".length));
}

function transitiveDependencies(name: string, seen = new Set<string>()): string[] {
  for (const dep of directDependencies(name)) {
    if (seen.has(dep) || !existsSync(join(PACKAGES, dep))) continue;
    seen.add(dep);
    transitiveDependencies(dep, seen);
  }
  return [...seen];
}

/** Every package with its catalogue (the one `*_ERROR_CODES` const its error-codes.ts exports). */
export async function loadPackages(): Promise<PackageCodes[]> {
  const out: PackageCodes[] = [];
  for (const name of packageNames()) {
    const file = join(PACKAGES, name, "src", "error-codes.ts");
    let catalogue: Record<string, string> = {};
    const hasCatalogue = existsSync(file);
    if (hasCatalogue) {
      const mod = (await import(pathToFileURL(file).href)) as Record<string, Record<string, string>>;
      const exported = Object.entries(mod).filter(([k]) => k.endsWith("_ERROR_CODES"));
      if (exported.length !== 1) throw new Error(`${file} must export exactly one *_ERROR_CODES const`);
      catalogue = exported[0]![1];
    }
    out.push({ name, catalogue, hasCatalogue, dependencies: transitiveDependencies(name) });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (
      /\.(ts|mts)$/.test(entry.name) &&
      !/\.test\.ts$/.test(entry.name) &&
      entry.name !== "error-codes.ts"
    )
      files.push(path);
  }
  return files;
}

/** Code-like string literals in a package's non-test sources (its catalogue file excluded). */
export function codeLiterals(name: string): CodeLiteral[] {
  const out: CodeLiteral[] = [];
  for (const file of sourceFiles(join(PACKAGES, name, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(CODE_LITERAL)) {
      const line = text.slice(0, m.index).split("\n").length;
      out.push({ code: m[2]!, file: relative(ROOT, file), line, thrown: m[1] !== undefined });
    }
  }
  return out;
}

/** docs/errors.md: one table of every catalogued code, by package. */
export function renderErrorDocs(packages: PackageCodes[]): string {
  const lines = [
    "# Error codes",
    "",
    "Every `CftkitError` carries a code from its package's catalogue (`packages/<name>/src/error-codes.ts`).",
    "The CLI prints `error[CODE]: message` and exits 2 for bad input, 1 for other failures.",
    "This file is generated from the catalogues: run `npm run docs:errors` after changing one",
    "(tools/error-codes.test.ts fails when they disagree, or when a source uses an uncatalogued code).",
    "",
    "To add a code: add a line to the throwing package's catalogue, then regenerate this file.",
    "",
  ];
  for (const pkg of packages) {
    const codes = Object.entries(pkg.catalogue).sort(([a], [b]) => a.localeCompare(b));
    if (codes.length === 0) continue;
    lines.push(`## @cftkit/${pkg.name}`, "", "| code | meaning |", "|------|---------|");
    for (const [code, meaning] of codes) lines.push(`| \`${code}\` | ${meaning.replaceAll("|", "\\|")} |`);
    lines.push("");
  }
  return lines.join("\n");
}

export const ERROR_DOCS = join(ROOT, "docs", "errors.md");
