import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { codeLiterals, ERROR_DOCS, loadPackages, renderErrorDocs } from "./error-codes.js";

const packages = await loadPackages();
const byName = new Map(packages.map((p) => [p.name, p]));
/** The first word of every catalogued code (`DATA`, `LM`, …): a literal starting so is meant as a code. */
const codePrefixes = new Set(packages.flatMap((p) => Object.keys(p.catalogue).map((c) => c.split("_")[0]!)));

describe("error-code catalogues", () => {
  it("exist for every package that throws a CftkitError with a code literal", () => {
    const missing = packages
      .filter((p) => !p.hasCatalogue && codeLiterals(p.name).some((l) => l.thrown))
      .map((p) => `packages/${p.name}: add src/error-codes.ts`);
    expect(missing).toEqual([]);
  });

  for (const pkg of packages) {
    it(`@cftkit/${pkg.name}: every code its sources use is catalogued, by it or by a package it depends on`, () => {
      const known = new Set(
        [pkg, ...pkg.dependencies.map((d) => byName.get(d)!)].flatMap((p) => Object.keys(p.catalogue)),
      );
      const uncatalogued = codeLiterals(pkg.name)
        .filter((l) => (l.thrown || codePrefixes.has(l.code.split("_")[0]!)) && !known.has(l.code))
        .map((l) => `${l.file}:${l.line}: ${l.code}`);
      expect(uncatalogued).toEqual([]);
    });

    it(`@cftkit/${pkg.name}: every catalogued code is used by its sources (no stale entries)`, () => {
      const used = new Set(codeLiterals(pkg.name).map((l) => l.code));
      expect(Object.keys(pkg.catalogue).filter((c) => !used.has(c))).toEqual([]);
    });
  }

  it("no code is catalogued by two packages", () => {
    const owners = new Map<string, string[]>();
    for (const p of packages)
      for (const c of Object.keys(p.catalogue)) owners.set(c, [...(owners.get(c) ?? []), p.name]);
    expect([...owners].filter(([, o]) => o.length > 1)).toEqual([]);
  });

  it("docs/errors.md matches the catalogues (regenerate with `npm run docs:errors`)", () => {
    expect(readFileSync(ERROR_DOCS, "utf8")).toBe(renderErrorDocs(packages));
  });
});
