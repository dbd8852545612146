// The publishable packages of the workspace, as npm itself lists them (`npm query .workspace`), so a package
// added under any workspace glob is picked up without editing a list here.
import { execFileSync } from "node:child_process";

export interface WorkspacePackage {
  name: string;
  version: string;
  /** Folder relative to the repository root, e.g. `packages/metrics`. */
  location: string;
  private: boolean;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  optionalPeers: string[];
}

interface NpmQueryNode {
  name: string;
  version: string;
  location: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** Parse `npm query .workspace --json` output into the packages a downstream user could install. */
export function parseWorkspaceQuery(json: string): WorkspacePackage[] {
  const nodes = JSON.parse(json) as NpmQueryNode[];
  return nodes
    .map((n) => ({
      name: n.name,
      version: n.version,
      location: n.location,
      private: n.private === true,
      dependencies: n.dependencies ?? {},
      peerDependencies: n.peerDependencies ?? {},
      optionalPeers: Object.entries(n.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional === true)
        .map(([name]) => name),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function listWorkspacePackages(root: string): WorkspacePackage[] {
  const out = execFileSync("npm", ["query", ".workspace", "--json"], { cwd: root, encoding: "utf8" });
  return parseWorkspaceQuery(out).filter((p) => !p.private);
}

/**
 * `name` and every workspace package it needs at run time (dependencies and required peers, transitively);
 * optional peers are left out — installing without them is what a downstream user does.
 */
export function internalClosure(name: string, packages: WorkspacePackage[]): string[] {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (n: string): void => {
    const pkg = byName.get(n);
    if (!pkg || seen.has(n)) return;
    seen.add(n);
    const required = [
      ...Object.keys(pkg.dependencies),
      ...Object.keys(pkg.peerDependencies).filter((peer) => !pkg.optionalPeers.includes(peer)),
    ];
    for (const dep of required) visit(dep);
  };
  visit(name);
  return [...seen].sort();
}

/** Does caret/tilde/exact `range` (the forms this repo writes) accept `version`? Other forms count as no. */
export function rangeAccepts(range: string, version: string): boolean {
  const m = /^([\^~]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m || !v) return false;
  const [lo, have] = [m.slice(2).map(Number), v.slice(1).map(Number)] as [number[], number[]];
  const cmp = have[0]! - lo[0]! || have[1]! - lo[1]! || have[2]! - lo[2]!;
  if (cmp < 0) return false;
  if (m[1] === "") return cmp === 0;
  // How many leading parts must stay equal: ~ keeps major.minor; ^ keeps the first non-zero part.
  const fixed = m[1] === "~" ? 2 : lo[0] !== 0 ? 1 : lo[1] !== 0 ? 2 : 3;
  return lo.slice(0, fixed).every((part, i) => part === have[i]);
}

/**
 * Internal dependency ranges that would not publish correctly: a bare `*`, a `workspace:`/`file:` spec, or a
 * range the workspace's own version of that package does not satisfy.
 */
export function unpublishableRanges(pkg: WorkspacePackage, packages: WorkspacePackage[]): string[] {
  const versions = new Map(packages.map((p) => [p.name, p.version]));
  const problems: string[] = [];
  for (const [field, deps] of [
    ["dependencies", pkg.dependencies],
    ["peerDependencies", pkg.peerDependencies],
  ] as const) {
    for (const [dep, range] of Object.entries(deps)) {
      const version = versions.get(dep);
      if (version === undefined) continue;
      if (!rangeAccepts(range, version)) {
        problems.push(`${pkg.name} ${field}.${dep} = "${range}" (workspace has ${version})`);
      }
    }
  }
  return problems;
}
