// Install every workspace package the way a downstream project meets it: `npm pack` each one, then for each
// package a fresh project outside the repository installs its tarball together with the tarballs of the
// @cftkit packages it needs (everything else from the registry, through the local npm cache), imports it
// from ESM and from CJS, typechecks an import of it (node16 resolution, both module kinds) and measures the
// installed node_modules; `npm publish --dry-run` of every package must print no warning.
// Run after `npm run build`:
//
//   npx tsx tools/pack-install.ts [--only @cftkit/metrics,@cftkit/core] [--json out.json] [--keep] [--root DIR]
//
// --root measures another checkout (e.g. an older commit, built) with this checkout's tools.
//
// Exits 1 when any package fails to pack, install, import or typecheck. Sizes are apparent file sizes in
// MB (10^6 bytes); import times are printed, never asserted.
import { execFileSync, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  browserBundleCheck,
  cliHelpCheck,
  importCheck,
  optionalPeerCheck,
  typesCheck,
} from "./pack-install-checks.js";
import { internalClosure, listWorkspacePackages, type WorkspacePackage } from "./workspace-packages.js";

export interface PackedPackage {
  name: string;
  tarball: string;
  packedBytes: number;
  unpackedBytes: number;
  files: number;
}

export interface InstallReport {
  name: string;
  packedKB: number;
  installMB: number;
  largest: string;
  esmMs: number | null;
  cjsMs: number | null;
  types: string;
  notes: string[];
  problems: string[];
}

/** This checkout: where typescript and esbuild for the checks come from. */
const toolsRoot = resolve(import.meta.dirname, "..");

/** `npm pack` every package into `dest` (the files field decides what ships; nothing is built here). */
function packAll(root: string, packages: WorkspacePackage[], dest: string): Map<string, PackedPackage> {
  const args = [
    "pack",
    "--json",
    "--pack-destination",
    dest,
    ...packages.map((p) => `--workspace=${p.location}`),
  ];
  const out = execFileSync("npm", args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const rows = JSON.parse(out) as {
    name: string;
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
  }[];
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        tarball: join(dest, r.filename),
        packedBytes: r.size,
        unpackedBytes: r.unpackedSize,
        files: r.entryCount,
      },
    ]),
  );
}

/**
 * `npm publish --dry-run` for every package: npm's warnings (a bin it would drop, fields it would rewrite).
 * The one about not being logged in is expected here and ignored.
 */
function publishDryRunWarnings(root: string, packages: WorkspacePackage[]): string[] {
  const args = ["publish", "--dry-run", ...packages.map((p) => `--workspace=${p.location}`)];
  const run = spawnSync("npm", args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const warnings = `${run.stdout}\n${run.stderr}`
    .split("\n")
    .filter((line) => /^npm (warn|error)/.test(line) && !line.includes("requires you to be logged in"));
  if (run.status !== 0 && warnings.length === 0) warnings.push(`npm publish --dry-run exited ${run.status}`);
  return warnings;
}

/** Apparent size of every file under `dir` (symlinks not followed), and the largest top-level packages. */
function measure(nodeModules: string): { bytes: number; largest: string } {
  const sizeOf = (path: string): number => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 0;
    if (!st.isDirectory()) return st.size;
    let total = 0;
    for (const entry of readdirSync(path)) total += sizeOf(join(path, entry));
    return total;
  };
  const tops: [string, number][] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    const names = entry.startsWith("@")
      ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`)
      : [entry];
    for (const name of names) tops.push([name, sizeOf(join(nodeModules, name))]);
  }
  tops.sort((a, b) => b[1] - a[1]);
  const bytes = tops.reduce((sum, [, b]) => sum + b, 0);
  const largest = tops
    .slice(0, 3)
    .map(([n, b]) => `${n} ${(b / 1e6).toFixed(0)}`)
    .join(", ");
  return { bytes, largest };
}

/** A fresh project that installs `pkg` and the tarballs of its @cftkit closure; returns the project folder. */
function installAlone(pkg: WorkspacePackage, closure: PackedPackage[], workDir: string): string {
  const project = join(workDir, pkg.name.replace("/", "__"));
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify({ name: "pack-install-probe", version: "0.0.0", private: true }, null, 2)}\n`,
  );
  const args = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  const run = spawnSync("npm", [...args, ...closure.map((p) => p.tarball)], {
    cwd: project,
    encoding: "utf8",
    // Belt and braces for npm versions that still run dependency install scripts.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: "skip" },
  });
  if (run.status !== 0) throw new Error(`npm install failed:\n${run.stderr.slice(-2000)}`);
  return project;
}

function checkPackage(
  pkg: WorkspacePackage,
  packages: WorkspacePackage[],
  packed: Map<string, PackedPackage>,
  workDir: string,
): InstallReport {
  const own = packed.get(pkg.name)!;
  const report: InstallReport = {
    name: pkg.name,
    packedKB: Math.round(own.packedBytes / 1e3),
    installMB: Number.NaN,
    largest: "",
    esmMs: null,
    cjsMs: null,
    types: "",
    notes: [],
    problems: [],
  };
  const closure = internalClosure(pkg.name, packages).map((n) => packed.get(n)!);
  let project: string;
  try {
    project = installAlone(pkg, closure, workDir);
  } catch (error) {
    report.problems.push((error as Error).message);
    return report;
  }
  const { bytes, largest } = measure(join(project, "node_modules"));
  report.installMB = bytes / 1e6;
  report.largest = largest;
  const esm = importCheck(project, pkg.name, "esm");
  const cjs = importCheck(project, pkg.name, "cjs");
  report.esmMs = esm.ms;
  report.cjsMs = cjs.ms;
  report.problems.push(...esm.problems, ...cjs.problems);
  const types = typesCheck(project, pkg.name, toolsRoot, pkg.optionalPeers);
  report.types = types.mode;
  if (types.note) report.notes.push(types.note);
  report.problems.push(...types.problems);
  const peers = optionalPeerCheck(project, pkg.name);
  if (peers.summary) report.notes.push(peers.summary);
  report.problems.push(...peers.problems);
  if (pkg.name === "@cftkit/metrics") {
    const browser = browserBundleCheck(project);
    report.notes.push(browser.summary);
    report.problems.push(...browser.problems);
  }
  if (pkg.name === "@cftkit/cli") {
    const help = cliHelpCheck(project);
    report.notes.push(help.summary);
    report.problems.push(...help.problems);
  }
  return report;
}

function printTable(reports: InstallReport[]): void {
  const fmt = (ms: number | null) => (ms === null ? "fail" : `${Math.round(ms)}`);
  const header = "package                packed KB  install MB  ESM ms  CJS ms  types    largest (MB)";
  console.log(header);
  for (const r of reports) {
    console.log(
      [
        r.name.padEnd(22),
        String(r.packedKB).padStart(9),
        (Number.isNaN(r.installMB) ? "fail" : r.installMB.toFixed(1)).padStart(11),
        fmt(r.esmMs).padStart(7),
        fmt(r.cjsMs).padStart(7),
        r.types.padEnd(8),
        r.largest,
      ].join(" "),
    );
    for (const n of r.notes) console.log(`  ${n}`);
    for (const p of r.problems) console.log(`  PROBLEM: ${p}`);
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      json: { type: "string" },
      keep: { type: "boolean", default: false },
      root: { type: "string" },
    },
  });
  const root = resolve(values.root ?? toolsRoot);
  const packages = listWorkspacePackages(root);
  const only = values.only?.split(",").map((s) => s.trim());
  const chosen = only ? packages.filter((p) => only.includes(p.name)) : packages;
  if (only && chosen.length !== only.length) {
    console.error(`unknown package in --only; the workspace has ${packages.map((p) => p.name).join(", ")}`);
    process.exit(2);
  }
  const workDir = mkdtempSync(join(tmpdir(), "cftkit-pack-install-"));
  try {
    const tarballs = join(workDir, "tarballs");
    mkdirSync(tarballs);
    const packed = packAll(root, packages, tarballs);
    const publishWarnings = publishDryRunWarnings(root, chosen);
    for (const w of publishWarnings) console.log(`PROBLEM (npm publish --dry-run): ${w}`);
    const reports: InstallReport[] = [];
    for (const pkg of chosen) {
      console.error(`pack-install: ${pkg.name}`);
      reports.push(checkPackage(pkg, packages, packed, workDir));
    }
    printTable(reports);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(reports, null, 2)}\n`);
    const failed = reports.filter((r) => r.problems.length > 0);
    if (publishWarnings.length > 0) process.exitCode = 1;
    if (failed.length > 0) {
      console.error(
        `pack-install: ${failed.length} package(s) failed: ${failed.map((r) => r.name).join(", ")}`,
      );
      process.exitCode = 1;
    }
  } finally {
    if (values.keep) console.error(`pack-install: kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

main();
