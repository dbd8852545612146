import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PACKAGE_ARROWS } from "./package-arrows.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const packagesDir = join(root, "packages");
const packages = readdirSync(packagesDir).filter((p) => statSync(join(packagesDir, p)).isDirectory());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry) ? [path] : [];
  });
}

/** Every other package a file reaches: `@cftkit/x` specifiers and relative paths into packages/x/. */
function packagesImported(file: string, text: string): string[] {
  const found = new Set<string>();
  const specifiers = text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g);
  for (const [, spec] of specifiers) {
    const scoped = /^@cftkit\/([a-z-]+)/.exec(spec!);
    if (scoped) {
      if (packages.includes(scoped[1]!)) found.add(scoped[1]!); // not a made-up name inside a test's string
    } else if (spec!.startsWith(".")) {
      const target = relative(packagesDir, resolve(file, "..", spec!));
      if (!target.startsWith("..")) found.add(target.split(/[\\/]/)[0]!);
    }
  }
  return [...found];
}

function importsOf(pkg: string): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const file of sourceFiles(join(packagesDir, pkg, "src"))) {
    for (const dep of packagesImported(file, readFileSync(file, "utf8"))) {
      if (dep === pkg) continue;
      byPackage.set(dep, [...(byPackage.get(dep) ?? []), relative(root, file)]);
    }
  }
  return byPackage;
}

function declaredOf(pkg: string): string[] {
  const json = JSON.parse(readFileSync(join(packagesDir, pkg, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >;
  const all = { ...json.dependencies, ...json.devDependencies, ...json.peerDependencies };
  return Object.keys(all)
    .filter((d) => d.startsWith("@cftkit/"))
    .map((d) => d.slice("@cftkit/".length));
}

/** The npm packages (not node:, not @cftkit, not relative) a file imports, by package name. */
function externalImports(text: string): string[] {
  const found = new Set<string>();
  // Code lines only (a comment or an embedded script may spell `import("pkg")`), npm-name specifiers only.
  const code = text
    .split("\n")
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join("\n");
  const npmName = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]*)?$/;
  for (const [, spec] of code.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"'.][^"']*)["']/g)) {
    if (spec!.startsWith("node:") || spec!.startsWith("@cftkit/") || !npmName.test(spec!)) continue;
    const parts = spec!.split("/");
    found.add(spec!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
  }
  return [...found];
}

describe("package arrows", () => {
  it("every package is in the arrow table", () => {
    expect(packages.filter((p) => !(p in PACKAGE_ARROWS))).toEqual([]);
  });

  it.each(packages)(
    "%s imports only packages its arrows allow, and declares exactly what it imports",
    (pkg) => {
      const allowed = PACKAGE_ARROWS[pkg] ?? [];
      const imported = importsOf(pkg);
      const outside = [...imported]
        .filter(([dep]) => !allowed.includes(dep))
        .map(([dep, files]) => `${dep} (${files[0]})`);
      expect(outside, `${pkg} imports outside its arrows`).toEqual([]);
      const declared = declaredOf(pkg);
      expect(
        declared.filter((d) => !allowed.includes(d)),
        `${pkg} declares outside its arrows`,
      ).toEqual([]);
      // Tests may reach a package through the workspace without declaring it; sources may not.
      const fromSources = [...imported]
        .filter(([, files]) => files.some((f) => !/\.test\.ts$/.test(f)))
        .map(([d]) => d);
      expect(
        fromSources.filter((d) => !declared.includes(d)).sort(),
        `${pkg} imports undeclared packages`,
      ).toEqual([]);
      expect(
        declared.filter((d) => !imported.has(d)).sort(),
        `${pkg} declares packages it never imports`,
      ).toEqual([]);
    },
  );

  it.each(packages)("%s declares every npm package its sources import (a type import too)", (pkg) => {
    const json = JSON.parse(readFileSync(join(packagesDir, pkg, "package.json"), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    const declared = new Set(
      Object.keys({ ...json.dependencies, ...json.peerDependencies, ...json.optionalDependencies }),
    );
    const missing = sourceFiles(join(packagesDir, pkg, "src"))
      .filter((f) => !/\.test\.ts$/.test(f))
      .flatMap((f) =>
        externalImports(readFileSync(f, "utf8"))
          .filter((d) => !declared.has(d))
          .map((d) => `${d} (${relative(root, f)})`),
      );
    expect(missing, `${pkg} imports undeclared npm packages`).toEqual([]);
  });

  it("finds scoped, dynamic and relative cross-package imports", () => {
    const file = join(packagesDir, "similarity", "src", "x.ts");
    const text = `import { a } from "@cftkit/lm";\nconst b = await import("@cftkit/core");\nimport "../../trainer/src/y.js";\nimport { c } from "./own.js";`;
    expect(packagesImported(file, text).sort()).toEqual(["core", "lm", "similarity", "trainer"]);
  });
});
