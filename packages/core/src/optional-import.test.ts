import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isCftkitError } from "./cftkit-error.js";
import { importOptional } from "./optional-import.js";

const dir = mkdtempSync(join(tmpdir(), "cftkit-optional-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("importOptional", () => {
  it("returns the module when the package is installed", async () => {
    const pathModule = await importOptional("node:path", "joining paths", () => import("node:path"));
    expect(pathModule.join("a", "b")).toBe(join("a", "b"));
  });

  it("turns a missing package into OPTIONAL_DEPENDENCY_MISSING naming it and the feature", async () => {
    const name = "@cftkit/not-installed-anywhere";
    const error = await importOptional(name, "LaBSE embeddings", () => import(name)).catch((e: unknown) => e);
    expect(isCftkitError(error)).toBe(true);
    expect(error).toMatchObject({ code: "OPTIONAL_DEPENDENCY_MISSING", details: { package: name } });
    expect((error as Error).message).toMatch(/LaBSE embeddings needs @cftkit\/not-installed-anywhere/);
  });

  it("passes through a failure inside an installed package (its own missing import is not the peer)", async () => {
    const file = join(dir, "broken.mjs");
    writeFileSync(file, 'import "@cftkit/also-not-installed";\n');
    const url = pathToFileURL(file).href;
    const error = await importOptional(url, "broken", () => import(url)).catch((e: unknown) => e);
    expect(isCftkitError(error)).toBe(false);
    expect((error as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
  });
});
