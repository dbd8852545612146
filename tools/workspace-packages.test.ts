import { describe, expect, it } from "vitest";
import {
  internalClosure,
  listWorkspacePackages,
  parseWorkspaceQuery,
  rangeAccepts,
  unpublishableRanges,
} from "./workspace-packages.js";

const query = JSON.stringify([
  { name: "@x/b", version: "0.1.0", location: "packages/b", dependencies: { "@x/a": "^0.1.0", zod: "^4" } },
  { name: "@x/a", version: "0.1.0", location: "packages/a" },
  {
    name: "@x/c",
    version: "0.1.0",
    location: "packages/c",
    dependencies: { "@x/b": "*" },
    peerDependencies: { "@x/d": "^0.1.0", "@x/e": "^0.2.0" },
    peerDependenciesMeta: { "@x/d": { optional: true } },
  },
  { name: "@x/d", version: "0.1.0", location: "packages/d", dependencies: { "@x/a": "~0.1.0" } },
  { name: "@x/e", version: "0.1.0", location: "packages/e", private: true },
]);

describe("workspace packages", () => {
  it("closes over dependencies and required peers, not optional peers", () => {
    const pkgs = parseWorkspaceQuery(query);
    expect(pkgs.map((p) => p.name)).toEqual(["@x/a", "@x/b", "@x/c", "@x/d", "@x/e"]);
    expect(internalClosure("@x/c", pkgs)).toEqual(["@x/a", "@x/b", "@x/c", "@x/e"]);
    expect(internalClosure("@x/a", pkgs)).toEqual(["@x/a"]);
  });

  it("flags a bare * and a range the workspace version does not meet", () => {
    const pkgs = parseWorkspaceQuery(query);
    const c = pkgs.find((p) => p.name === "@x/c")!;
    expect(unpublishableRanges(c, pkgs)).toEqual([
      '@x/c dependencies.@x/b = "*" (workspace has 0.1.0)',
      '@x/c peerDependencies.@x/e = "^0.2.0" (workspace has 0.1.0)',
    ]);
    expect(unpublishableRanges(pkgs.find((p) => p.name === "@x/d")!, pkgs)).toEqual([]);
  });

  it("reads caret, tilde and exact ranges as npm does for the versions this repo uses", () => {
    expect(rangeAccepts("^0.1.0", "0.1.5")).toBe(true);
    expect(rangeAccepts("^0.1.0", "0.2.0")).toBe(false);
    expect(rangeAccepts("^1.2.0", "1.9.0")).toBe(true);
    expect(rangeAccepts("^1.2.0", "1.1.9")).toBe(false);
    expect(rangeAccepts("^0.0.3", "0.0.4")).toBe(false);
    expect(rangeAccepts("~1.2.0", "1.2.7")).toBe(true);
    expect(rangeAccepts("~1.2.0", "1.3.0")).toBe(false);
    expect(rangeAccepts("0.1.0", "0.1.0")).toBe(true);
    expect(rangeAccepts("*", "0.1.0")).toBe(false);
    expect(rangeAccepts("workspace:^", "0.1.0")).toBe(false);
  });

  it("every internal range in this repository publishes correctly", () => {
    const root = new URL("..", import.meta.url).pathname;
    const pkgs = listWorkspacePackages(root);
    expect(pkgs.map((p) => p.name)).toContain("@cftkit/metrics");
    expect(pkgs.flatMap((p) => unpublishableRanges(p, pkgs))).toEqual([]);
  });
});
