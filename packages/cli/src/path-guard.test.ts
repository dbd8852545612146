import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { declaredCommands } from "./commands/index.js";
import type { DeclaredCommand, ParamSpec } from "./define-command.js";
import { checkPaths } from "./path-guard.js";
import { runCli } from "./program.js";

const root = mkdtempSync(join(tmpdir(), "cftkit-path-guard-"));
let serial = 0;
const fresh = () => join(root, `case-${serial++}`);

/** A file with known bytes, or a model folder (config.json + weights), to check nothing was replaced. */
function existingInput(spec: ParamSpec): string {
  const path = fresh();
  if (spec.path === "model") {
    mkdirSync(path);
    writeFileSync(join(path, "config.json"), '{"keep": true}\n');
    writeFileSync(join(path, "model.safetensors"), "weights");
  } else writeFileSync(path, "keep me\n");
  return path;
}

function snapshot(path: string): string {
  try {
    return readdirSync(path)
      .map((f) => `${f}:${readFileSync(join(path, f), "utf8")}`)
      .join("|");
  } catch {
    return readFileSync(path, "utf8");
  }
}

const flagOf = (spec: ParamSpec) => spec.flags.split(/[ ,]/)[0]!;

/** argv for `command` with `given` path values; other positional arguments get harmless placeholders. */
function argvFor(command: DeclaredCommand, given: Record<string, string>): string[] {
  const argv: string[] = [...command.path];
  for (const key of Object.keys(command.args)) argv.push(given[key] ?? `${root}/placeholder-${key}`);
  for (const [key, value] of Object.entries(given)) {
    const spec = command.options[key];
    if (spec) argv.push(flagOf(spec), value);
  }
  return argv;
}

async function run(argv: string[]): Promise<{ exit: number; stderr: string }> {
  let stderr = "";
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    return { exit: await runCli(argv), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

interface Case {
  name: string;
  argv: string[];
  code: string;
  kept?: string;
}

/** Every case the path rules imply for one command, from its declared roles alone. */
function casesOf(command: DeclaredCommand): Case[] {
  const params = { ...command.args, ...command.options };
  const entries = Object.entries(params).filter(([, s]) => s.path);
  const inputs = entries.filter(([, s]) => s.path === "input" || s.path === "model");
  const outputs = entries.filter(([, s]) => s.path?.startsWith("output-"));
  const name = command.path.join(" ");
  const cases: Case[] = [];
  for (const [outKey, out] of outputs) {
    for (const [inKey, input] of inputs) {
      const path = existingInput(input);
      const same = { [inKey]: path, [outKey]: path };
      cases.push({
        name: `${name}: ${outKey} = ${inKey}`,
        argv: argvFor(command, same),
        code: "CLI_OUTPUT_IS_INPUT",
        kept: path,
      });
      if (input.path === "model" && out.path === "output-file") {
        const file = join(path, "config.json");
        const inside = { [inKey]: path, [outKey]: file };
        cases.push({
          name: `${name}: ${outKey} inside ${inKey}`,
          argv: argvFor(command, inside),
          code: "CLI_OUTPUT_IS_INPUT",
          kept: path,
        });
      }
      for (const written of out.writes?.(fresh()) ?? []) {
        // An input that the output writes beside or inside itself, e.g. replay er --english out/replay.jsonl.
        mkdirSync(join(written, ".."), { recursive: true });
        writeFileSync(written, "keep me\n");
        const target =
          out.path === "output-file" ? written.replace(/\.manifest\.json$/, ".jsonl") : join(written, "..");
        const beside = { [inKey]: written, [outKey]: target };
        cases.push({
          name: `${name}: ${outKey} writes ${inKey}`,
          argv: argvFor(command, beside),
          code: "CLI_OUTPUT_IS_INPUT",
          kept: written,
        });
      }
    }
    const [firstWritten] = out.writes?.(fresh()) ?? [];
    if (firstWritten) {
      // A file the output writes beside or inside itself is a folder (e.g. train plan's <out>/commands.sh).
      mkdirSync(firstWritten, { recursive: true });
      const target =
        out.path === "output-file"
          ? firstWritten.replace(/\.manifest\.json$/, ".jsonl")
          : join(firstWritten, "..");
      cases.push({
        name: `${name}: ${outKey} writes a file where a folder is`,
        argv: argvFor(command, { [outKey]: target }),
        code: "CLI_OUTPUT_NOT_A_FILE",
        kept: firstWritten,
      });
    }
    const wrongKind = fresh();
    if (out.path === "output-file") mkdirSync(wrongKind);
    else writeFileSync(wrongKind, "a file\n");
    const code = out.path === "output-file" ? "CLI_OUTPUT_NOT_A_FILE" : "CLI_OUTPUT_NOT_A_FOLDER";
    cases.push({
      name: `${name}: ${outKey} of the wrong kind`,
      argv: argvFor(command, { [outKey]: wrongKind }),
      code,
      kept: wrongKind,
    });
    if (out.path === "output-model") {
      const model = existingInput({ ...out, path: "model" });
      cases.push({
        name: `${name}: ${outKey} holds a model`,
        argv: argvFor(command, { [outKey]: model }),
        code: "CLI_OUTPUT_EXISTS",
        kept: model,
      });
    }
  }
  for (const [i, [a]] of outputs.entries()) {
    for (const [b] of outputs.slice(i + 1)) {
      const shared = fresh();
      cases.push({
        name: `${name}: ${a} = ${b}`,
        argv: argvFor(command, { [a]: shared, [b]: shared }),
        code: "CLI_OUTPUTS_COLLIDE",
      });
    }
  }
  return cases;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the path guard, across every declared command", () => {
  const all = declaredCommands.flatMap(casesOf);

  it("covers the commands that write files (a new command is covered by declaring its path roles)", () => {
    const covered = new Set(all.map((c) => c.name.split(":")[0]));
    for (const name of [
      "data convert",
      "data split",
      "data sample",
      "replay mix",
      "replay er",
      "lm init",
      "lm train",
      "train plan",
      "freeze diff",
    ])
      expect(covered).toContain(name);
    expect(all.length).toBeGreaterThan(40);
  });

  it("refuses each case with its code and exit 2, and leaves the inputs as they were", async () => {
    for (const c of all) {
      const before = c.kept ? snapshot(c.kept) : undefined;
      const r = await run(c.argv);
      expect({ case: c.name, exit: r.exit, stderr: r.stderr.trim() }).toMatchObject({ exit: 2 });
      expect(r.stderr, c.name).toMatch(new RegExp(`^error\\[${c.code}\\]: `));
      if (c.kept) expect(snapshot(c.kept), c.name).toBe(before);
    }
  });
});

describe("checkPaths", () => {
  it("keeps an existing model unless force, and lets distinct paths through", () => {
    const model = existingInput({ flags: "", description: "", schema: undefined as never, path: "model" });
    const given = [{ name: "--out", role: "output-model" as const, path: model }];
    expect(() => checkPaths(given)).toThrow(/--force/);
    expect(() => checkPaths(given, { force: true })).not.toThrow();
    const input = existingInput({ flags: "", description: "", schema: undefined as never, path: "input" });
    const distinct = [
      { name: "<in>", role: "input" as const, path: input },
      { name: "--out", role: "output-file" as const, path: fresh() },
      { name: "--out-validation", role: "output-file" as const, path: fresh() },
    ];
    expect(() => checkPaths(distinct)).not.toThrow();
  });

  it("compares real paths: a symlink or a ../ detour to the input is the input", async () => {
    const { symlinkSync } = await import("node:fs");
    const input = existingInput({ flags: "", description: "", schema: undefined as never, path: "input" });
    const link = fresh();
    symlinkSync(input, link);
    const viaLink = [
      { name: "<in>", role: "input" as const, path: input },
      { name: "--out", role: "output-file" as const, path: link },
    ];
    expect(() => checkPaths(viaLink)).toThrow(/is also the input/);
    const detour = [
      { name: "<in>", role: "input" as const, path: input },
      {
        name: "--out",
        role: "output-file" as const,
        path: join(root, "x", "..", input.slice(root.length + 1)),
      },
    ];
    expect(() => checkPaths(detour)).toThrow(/is also the input/);
  });
});
