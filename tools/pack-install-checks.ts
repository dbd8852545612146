// The checks tools/pack-install.ts runs inside each fresh project: import from ESM and CJS, typecheck an
// import under node16 resolution, bundle @cftkit/metrics for the browser, and `npx cftkit --help`.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { buildSync } from "esbuild";

export interface ImportResult {
  ms: number | null;
  problems: string[];
}

/** Import `name` in a fresh node process; the time is measured around the import alone. */
export function importCheck(project: string, name: string, kind: "esm" | "cjs"): ImportResult {
  const load = kind === "esm" ? `await import(${JSON.stringify(name)})` : `require(${JSON.stringify(name)})`;
  const script = [
    "const t0 = performance.now();",
    `const m = ${load};`,
    "const ms = performance.now() - t0;",
    "process.stdout.write('\\n@@' + JSON.stringify({ ms, exports: Object.keys(m).length }));",
    "process.exit(0);",
  ].join("\n");
  const args = kind === "esm" ? ["--input-type=module", "-e", script] : ["-e", script];
  const run = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", timeout: 120_000 });
  const marker = run.stdout.lastIndexOf("\n@@");
  if (run.status !== 0 || marker < 0) {
    return { ms: null, problems: [`${kind} import failed: ${(run.stderr || run.stdout).slice(-1500)}`] };
  }
  const { ms, exports } = JSON.parse(run.stdout.slice(marker + 3)) as { ms: number; exports: number };
  const problems: string[] = [];
  if (exports === 0) problems.push(`${kind} import has no exports`);
  const stray = (run.stdout.slice(0, marker) + run.stderr).trim();
  if (stray) problems.push(`${kind} import prints: ${stray.slice(0, 300)}`);
  return { ms, problems };
}

/**
 * Typecheck `import * as m from name` from an .mts (ESM) and a .cts (CJS) file with node16 resolution and
 * `skipLibCheck: false`, the strictest way a downstream TypeScript project compiles. Errors in our own
 * declaration files fail, except "cannot find module" for an optional peer the probe leaves out; errors inside
 * third-party declaration files are reported in the mode column only (a downstream project that does not skip
 * library checks meets them too, but they are not ours to fix).
 */
export function typesCheck(
  project: string,
  name: string,
  repoRoot: string,
  optionalPeers: string[],
): { mode: string; note: string; problems: string[] } {
  const probe = `import * as m from ${JSON.stringify(name)};\nexport const exported: number = Object.keys(m).length;\n`;
  writeFileSync(join(project, "probe-esm.mts"), probe);
  writeFileSync(join(project, "probe-cjs.cts"), probe);
  const tsconfig = {
    compilerOptions: {
      module: "node16",
      moduleResolution: "node16",
      target: "es2022",
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ["node"],
      typeRoots: [join(repoRoot, "node_modules", "@types")],
    },
    files: ["probe-esm.mts", "probe-cjs.cts"],
  };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", project], { cwd: project, encoding: "utf8" });
  if (run.status === 0) return { mode: "strict", note: "", problems: [] };
  const errors = run.stdout.split("\n").filter((line) => /^\S+\(\d+,\d+\): error TS\d+/.test(line));
  const thirdParty = errors.filter(
    (e) => e.startsWith("node_modules/") && !e.startsWith("node_modules/@cftkit/"),
  );
  const missingPeer = (e: string) =>
    /error TS2307/.test(e) && optionalPeers.some((p) => e.includes(`'${p}'`));
  const ours = errors.filter((e) => !thirdParty.includes(e) && !missingPeer(e));
  if (errors.length === 0 || ours.length > 0) {
    return { mode: "fail", note: "", problems: [`types: ${(ours.join("\n") || run.stdout).slice(0, 1500)}`] };
  }
  const packageOf = (e: string) => {
    const parts = e.split("(")[0]!.split("/");
    return parts[1]!.startsWith("@") ? `${parts[1]}/${parts[2]}` : parts[1]!;
  };
  const packagesWithErrors = new Set(thirdParty.map(packageOf));
  const notes = [
    ...(thirdParty.length
      ? [`${thirdParty.length} errors in third-party .d.ts: ${[...packagesWithErrors].join(", ")}`]
      : []),
    ...(errors.some(missingPeer) ? ["declarations name an absent optional peer"] : []),
  ];
  return { mode: "ours ok", note: `types: ours clean; ${notes.join("; ")}`, problems: [] };
}

/**
 * Bundle @cftkit/metrics for the browser with esbuild (Punkt tables imported as text from the package's data/)
 * and run the bundle in a bare V8 context — no `require`, no `process`, no Node built-ins.
 */
export function browserBundleCheck(project: string): { summary: string; problems: string[] } {
  const entry = `
import { evaluateStrict, parsePunktTables, rougeScore, setEnglishPunktParameters, squadF1 } from "@cftkit/metrics";
import abbrevTypes from "@cftkit/metrics/data/punkt_tab/english/abbrev_types.txt";
import collocations from "@cftkit/metrics/data/punkt_tab/english/collocations.tab";
import orthoContext from "@cftkit/metrics/data/punkt_tab/english/ortho_context.tab";
import sentStarters from "@cftkit/metrics/data/punkt_tab/english/sent_starters.txt";
setEnglishPunktParameters(parsePunktTables({ abbrevTypes, collocations, orthoContext, sentStarters }));
const input = {
  prompt: "p",
  instruction_id_list: ["length_constraints:number_sentences"],
  kwargs: [{ relation: "less than", num_sentences: 3 }],
};
globalThis.result = {
  f1: squadF1("a cat sat down", "the cat sat"),
  rougeL: rougeScore("the cat sat on the mat", "the cat lay on the mat").rougeL.fmeasure,
  ifeval: [evaluateStrict(input, "Mr. Smith came. He left.").follow_all_instructions,
           evaluateStrict(input, "One. Two. Three.").follow_all_instructions],
};
`;
  writeFileSync(join(project, "browser-entry.mjs"), entry);
  let code: string;
  try {
    const out = buildSync({
      entryPoints: [join(project, "browser-entry.mjs")],
      absWorkingDir: project,
      bundle: true,
      minify: true,
      platform: "browser",
      format: "iife",
      loader: { ".txt": "text", ".tab": "text" },
      write: false,
      logLevel: "silent",
    });
    code = out.outputFiles[0]!.text;
  } catch (error) {
    return { summary: "browser bundle: fail", problems: [`esbuild (browser): ${(error as Error).message}`] };
  }
  const context: { result?: { f1: number; rougeL: number; ifeval: boolean[] } } = {};
  runInNewContext(code, context);
  const r = context.result;
  // F1 of "cat sat down" against "cat sat" (articles removed) is 2·1·⅔/(1+⅔) = 0.8; ROUGE-L 5/6; 2 < 3 sentences.
  const ok =
    r !== undefined &&
    Math.abs(r.f1 - 0.8) < 1e-12 &&
    Math.abs(r.rougeL - 5 / 6) < 1e-12 &&
    r.ifeval[0] === true &&
    r.ifeval[1] === false;
  const summary = `browser bundle (esbuild, IFEval tables included): ${(code.length / 1e3).toFixed(0)} KB minified, runs without Node: ${ok}`;
  return { summary, problems: ok ? [] : [`browser bundle computed ${JSON.stringify(r)}`] };
}

/** `npx cftkit --help` in the project prints cftkit's help and nothing else (no npm warnings). */
export function cliHelpCheck(project: string): { summary: string; problems: string[] } {
  const run = spawnSync("npx", ["--no-install", "cftkit", "--help"], { cwd: project, encoding: "utf8" });
  const problems: string[] = [];
  if (run.status !== 0) problems.push(`npx cftkit --help exited ${run.status}: ${run.stderr.slice(-800)}`);
  if (!run.stdout.startsWith("Usage: cftkit"))
    problems.push(`npx cftkit --help printed: ${run.stdout.slice(0, 200)}`);
  if (run.stderr.trim()) problems.push(`npx cftkit --help wrote to stderr: ${run.stderr.slice(0, 500)}`);
  const summary = `npx cftkit --help: ${run.stdout.split("\n").length} lines on stdout, ${run.stderr.length} bytes on stderr`;
  return { summary, problems };
}

/** Calls that need an optional peer the probe project leaves out, and the package each must name. */
const OPTIONAL_PEER_CALLS: Record<string, { call: string; peer: string }[]> = {
  "@cftkit/similarity": [
    { call: "m.SentenceTransformerEncoder.load({ offline: true })", peer: "@huggingface/transformers" },
  ],
};

/** Without its optional peers a package imports fine and the feature that needs one fails with a typed error. */
export function optionalPeerCheck(project: string, name: string): { summary: string; problems: string[] } {
  const calls = OPTIONAL_PEER_CALLS[name] ?? [];
  const problems: string[] = [];
  for (const { call, peer } of calls) {
    const script = [
      `const m = await import(${JSON.stringify(name)});`,
      `try { await ${call}; console.log("no error"); }`,
      "catch (e) { console.log(JSON.stringify({ code: e.code, package: e.details?.package })); }",
    ].join("\n");
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: project,
      encoding: "utf8",
    });
    const expected = JSON.stringify({ code: "OPTIONAL_DEPENDENCY_MISSING", package: peer });
    if (run.stdout.trim() !== expected) problems.push(`${call} without ${peer}: ${run.stdout}${run.stderr}`);
  }
  const summary = calls.length
    ? `without optional peers: ${calls.length - problems.length}/${calls.length} calls fail with OPTIONAL_DEPENDENCY_MISSING`
    : "";
  return { summary, problems };
}
